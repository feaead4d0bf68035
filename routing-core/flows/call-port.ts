// What a flow asks of the call it runs on. The interpreter knows nothing of SIP: the 3PCC
// controller implements this port on a real call (prompts on rtpengine, DTMF, queueing,
// transfer), tests implement it on a scripted caller.

export type Hangup = 'hangup';

export type QueueOutcome =
  /** An agent answered and the conversation ended. */
  | { kind: 'ended' }
  /** Max wait with no overflow target set on the queue. */
  | { kind: 'overflow' }
  /** The call left for the queue's overflow target or a capacity-based team (the controller connected it). */
  | { kind: 'redirected' }
  | { kind: 'hangup' }
  | { kind: 'failed'; reason: string };

export interface QueueRequest {
  queueId: string;
  priority: number;
  targetAgentId?: string;
  musicPrompt?: string;
  /** Called when an agent answers, with the screen-pop data for the desktop. */
  onAgentAnswered: () => void;
}

export interface CallPort {
  play(prompt: string): Promise<'done' | Hangup>;
  collect(prompt: string, options: { minDigits: number; maxDigits: number; terminator?: string; timeoutMs: number }): Promise<{ digits: string } | 'timeout' | Hangup>;
  queue(request: QueueRequest): Promise<QueueOutcome>;
  queueInfo(queueId: string): Promise<{ position?: number; estimatedWaitSeconds?: number; agentsAvailable: number }>;
  /** Keeps the caller's place and ends the caller's leg; the controller calls back when an agent is reserved. */
  callback(queueId: string, number: string): Promise<'scheduled' | Hangup>;
  transfer(target: { number: string } | { entryPoint: string }): Promise<'done' | Hangup>;
  disconnect(): Promise<void>;
  /** Data for the agent's desktop when the agent answers (sensitive values already masked). */
  screenPop(data: Record<string, unknown>): void;
}
