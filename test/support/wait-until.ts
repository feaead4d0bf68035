/**
 * Polling for tests that wait on real peers and processes: bounded, and failing with
 * what was awaited rather than hanging until the test timeout.
 */

export interface WaitOptions {
  /** How long to keep polling before failing; default 10 s. */
  timeoutMs?: number;
  /** Pause between polls; default 25 ms. */
  intervalMs?: number;
}

/** Resolves with the probe's first value other than undefined; throws `timed out waiting for <what>` after timeoutMs. */
export async function waitForValue<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  what: string,
  { timeoutMs = 10_000, intervalMs = 25 }: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Resolves once condition() holds; throws `timed out waiting for <what>` after timeoutMs. */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  what: string,
  options: WaitOptions = {},
): Promise<void> {
  await waitForValue(async () => ((await condition()) ? true : undefined), what, options);
}
