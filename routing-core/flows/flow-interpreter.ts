// Runs one flow for one call: an isolated execution (its own variables, its own step
// budget) that walks activities by their named outcomes and asks the call port for every
// media action. A runtime error takes the activity's error branch; an error nothing
// handles plays the flow's error prompt and disconnects, so a caller never hears dead air.
import jsonata from 'jsonata';
import type { CallPort } from './call-port.js';
import type { Activity, Flow } from './flow-schema.js';
import { runHttpActivity } from './http-activity.js';
import { maskedVariables, openVariables, SensitiveValue } from './sensitive-value.js';

export interface FlowRunOptions {
  /** Initial variables (caller, dialled number, interaction id, ...). */
  variables?: Record<string, unknown>;
  /** Another flow, for goto; undefined when it does not exist. */
  flowById?: (id: string) => Flow | undefined;
  /** Activities one execution may run before it is stopped as a loop. */
  maxSteps?: number;
}

export type FlowEnd =
  | { kind: 'disconnected' }
  | { kind: 'transferred' }
  | { kind: 'callback' }
  | { kind: 'hangup' }
  /** An error no branch handled: the error prompt was played and the call disconnected. */
  | { kind: 'failed'; activityId: string; reason: string };

export interface FlowRun {
  end: FlowEnd;
  /** Activity ids in the order they ran (the flows the goto moved to prefix theirs with "flow:"). */
  path: string[];
  /** Final variables, sensitive ones masked. */
  variables: Record<string, unknown>;
}

class CallerHungUp extends Error {}

const DEFAULT_MAX_STEPS = 500;

export async function runFlow(initial: Flow, port: CallPort, options: FlowRunOptions = {}): Promise<FlowRun> {
  const variables = new Map<string, unknown>(Object.entries(options.variables ?? {}));
  const path: string[] = [];
  let flow = initial;
  let sensitive = new Set(flow.sensitive);
  const budget = options.maxSteps ?? DEFAULT_MAX_STEPS;

  const set = (name: string, value: unknown, forceSensitive = false): void => {
    variables.set(name, forceSensitive || sensitive.has(name) ? new SensitiveValue(value) : value);
  };
  const evaluate = async (expression: string): Promise<unknown> => jsonata(expression).evaluate(openVariables(variables));
  const activityById = (id: string): Activity | undefined => flow.activities.find((activity) => activity.id === id);
  const media = async <T>(result: Promise<T | 'hangup'>): Promise<T> => {
    const outcome = await result;
    if (outcome === 'hangup') throw new CallerHungUp();
    return outcome as T;
  };

  const fail = async (activityId: string, reason: string): Promise<FlowRun> => {
    try {
      if ((await port.play(flow.errorPrompt)) !== 'hangup') await port.disconnect();
    } catch {
      await port.disconnect().catch(() => undefined);
    }
    return { end: { kind: 'failed', activityId, reason }, path, variables: maskedVariables(variables) };
  };

  /** After the caller hung up: the flow's callerHangup handler, without media. */
  const afterHangup = async (): Promise<FlowRun> => {
    let id = flow.events.callerHangup;
    for (let steps = 0; id !== undefined && steps < budget; steps++) {
      const activity = activityById(id);
      if (!activity) break;
      path.push(id);
      id = await runWithoutMedia(activity);
    }
    return { end: { kind: 'hangup' }, path, variables: maskedVariables(variables) };
  };

  /** The activities that need no media: set variable, condition, HTTP request. */
  const runData = async (activity: Activity): Promise<string | undefined> => {
    if (activity.type === 'setVariable') {
      set(activity.variable, await evaluate(activity.expression));
      return activity.next;
    }
    if (activity.type === 'condition') return truthy(await evaluate(activity.expression)) ? activity.then : activity.else;
    if (activity.type === 'http') {
      const result = await runHttpActivity(activity, openVariables(variables));
      set('httpStatus', result.status);
      for (const [name, value] of Object.entries(result.assigned)) set(name, value);
      return activity.next;
    }
    if (activity.type === 'goto' && activity.flow === undefined) return activity.activity;
    return undefined;
  };

  const runWithoutMedia = async (activity: Activity): Promise<string | undefined> => {
    try {
      return await runData(activity);
    } catch {
      return 'error' in activity ? activity.error : undefined;
    }
  };

  let current: string = flow.start;
  try {
    for (let steps = 0; ; steps++) {
      if (steps >= budget) return await fail(current, `more than ${budget} activities: a loop without input?`);
      const activity = activityById(current);
      if (!activity) return await fail(current, `no activity "${current}" in flow ${flow.id}`);
      path.push(flow.id === initial.id ? activity.id : `${flow.id}:${activity.id}`);
      let next: string | undefined;
      try {
        next = await runActivity(activity);
      } catch (error) {
        if (error instanceof CallerHungUp) throw error;
        const branch = 'error' in activity ? activity.error : undefined;
        if (branch === undefined) return await fail(activity.id, (error as Error).message);
        set('lastError', (error as Error).message);
        next = branch;
      }
      if (next === undefined) return { end: endOf(activity), path, variables: maskedVariables(variables) };
      current = next;
    }
  } catch (error) {
    if (error instanceof CallerHungUp) return afterHangup();
    throw error;
  }

  function endOf(activity: Activity): FlowEnd {
    if (activity.type === 'transfer') return { kind: 'transferred' };
    if (activity.type === 'callback') return { kind: 'callback' };
    return { kind: 'disconnected' };
  }

  /** Runs one activity; returns the next activity's id, or undefined when the flow ends here. */
  async function runActivity(activity: Activity): Promise<string | undefined> {
    switch (activity.type) {
      case 'play':
        await media(port.play(activity.prompt));
        return activity.next;
      case 'collect': {
        const result = await media(port.collect(activity.prompt, {
          minDigits: activity.minDigits, maxDigits: activity.maxDigits, terminator: activity.terminator, timeoutMs: activity.timeoutSeconds * 1000,
        }));
        if (result === 'timeout' || result.digits.length < activity.minDigits) return activity.noInput;
        set(activity.variable, result.digits, activity.sensitive);
        return activity.next;
      }
      case 'menu': {
        const result = await media(port.collect(activity.prompt, { minDigits: 1, maxDigits: 1, timeoutMs: activity.timeoutSeconds * 1000 }));
        if (result === 'timeout') return activity.noInput;
        return activity.options[result.digits] ?? activity.noMatch;
      }
      case 'setVariable':
      case 'condition':
      case 'http':
        return runData(activity);
      case 'queue':
      case 'queueToAgent': {
        const screenPop = (): void => {
          const masked = maskedVariables(variables);
          const wanted = flow.events.agentAnswered?.screenPop ?? [];
          port.screenPop(Object.fromEntries(wanted.map((name) => [name, masked[name]])));
        };
        const outcome = await port.queue(activity.type === 'queue'
          ? { queueId: activity.queue, priority: activity.priority, onAgentAnswered: screenPop }
          : { queueId: `agent:${activity.agent}`, targetAgentId: activity.agent, priority: activity.priority, onAgentAnswered: screenPop });
        switch (outcome.kind) {
          case 'ended':
          case 'redirected':
            return activity.next;
          case 'hangup':
            throw new CallerHungUp();
          case 'overflow':
            if (activity.type === 'queue' && activity.overflow !== undefined) return activity.overflow;
            throw new Error('the queue overflowed and the flow has no overflow branch');
          case 'failed':
            throw new Error(outcome.reason);
        }
        break;
      }
      case 'queueInfo': {
        const info = await port.queueInfo(activity.queue);
        set('queuePosition', info.position ?? null);
        set('estimatedWaitSeconds', info.estimatedWaitSeconds ?? null);
        set('agentsAvailable', info.agentsAvailable);
        return activity.next;
      }
      case 'callback': {
        const number = await evaluate(activity.number);
        if (typeof number !== 'string' || !/^\+?[0-9]{3,20}$/.test(number)) throw new Error('the callback number is not a phone number');
        await media(port.callback(activity.queue, number));
        return undefined;
      }
      case 'transfer':
        await media(port.transfer(activity.number !== undefined ? { number: activity.number } : { entryPoint: activity.entryPoint as string }));
        return undefined;
      case 'disconnect':
        await port.disconnect();
        return undefined;
      case 'goto': {
        if (activity.flow === undefined) return activity.activity;
        const target = options.flowById?.(activity.flow);
        if (!target) throw new Error(`no flow "${activity.flow}"`);
        flow = target;
        sensitive = new Set([...sensitive, ...target.sensitive]);
        return activity.activity ?? target.start;
      }
    }
  }
}

function truthy(value: unknown): boolean {
  return value !== undefined && value !== null && value !== false && value !== 0 && value !== '';
}
