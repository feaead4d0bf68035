// A call waiting in a queue, and the order queues serve calls in.

export interface QueuedCall {
  interactionId: string;
  queueId: string;
  /** When the call entered this queue (ms since epoch): its wait counts from here. */
  enqueuedAt: number;
  /** Higher first. */
  priority: number;
  /**
   * Arrival order, unique and increasing across instances. A call back from RONA keeps
   * its order, so it is at the head of its priority again.
   */
  order: number;
  /** Queue to agent: only this agent may take the call; it waits (parked) while the agent is busy. */
  targetAgentId?: string;
  /** Courtesy callback: the caller hung up and is called back on this number; the place is kept. */
  callback?: { number: string };
  /** Core instance that holds the caller's leg; offers go to it. */
  owner: string;
}

/** Serving order: higher priority first, then arrival. */
export function compareQueuedCalls(a: QueuedCall, b: QueuedCall): number {
  return b.priority - a.priority || a.order - b.order;
}

/** 1-based position of a call within its queue, or undefined when it is not queued. */
export function positionInQueue(calls: readonly QueuedCall[], interactionId: string): number | undefined {
  const mine = calls.find((call) => call.interactionId === interactionId);
  if (!mine) return undefined;
  let position = 1;
  for (const call of calls) if (call.queueId === mine.queueId && compareQueuedCalls(call, mine) < 0) position++;
  return position;
}
