// Estimated wait time. Method: linear work-ahead estimate, EWT = position x AHT / N, where
// AHT is the mean handle time (talk + wrap-up) of the queue's last `window` handled calls
// (the queue's defaultHandleSeconds until it has handled one) and N the agents staffed
// for the queue (logged in and not idle: available, reserved, connected or wrapping up).
// Each staffed agent clears one call per AHT, so the caller at position p waits for p
// calls spread over N agents. Unknown (undefined) when nobody is staffed.

export const HANDLE_TIME_WINDOW = 20;

export function averageHandleSeconds(recentHandleSeconds: readonly number[], defaultHandleSeconds: number): number {
  const recent = recentHandleSeconds.slice(-HANDLE_TIME_WINDOW);
  if (recent.length === 0) return defaultHandleSeconds;
  return recent.reduce((sum, value) => sum + value, 0) / recent.length;
}

export function estimatedWaitSeconds(position: number, averageHandle: number, agentsStaffed: number): number | undefined {
  if (agentsStaffed <= 0) return undefined;
  return Math.round((position * averageHandle) / agentsStaffed);
}
