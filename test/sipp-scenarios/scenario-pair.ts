import { rm } from 'node:fs/promises';
import { freePort } from '../support/free-port.js';
import { describeSippRun, runSipp, startSipp, type SippResult, type SippTransport } from '../support/sipp.js';
import { DIALLED_NUMBER, type SippFlow } from './flows.js';

export interface ScenarioPairOptions {
  flow: SippFlow;
  transport: SippTransport;
  /** Where the callee SIPp listens. */
  uasAddress: string;
  uasPort: number;
  /** Where the caller sends its INVITE: the callee itself, or an engine in front of it. */
  target: string;
  callerAddress: string;
  calls?: number;
  rate?: number;
  timeoutSeconds?: number;
  traceMessages?: boolean;
}

export interface ScenarioPairResult {
  uac: SippResult;
  uas: SippResult;
  /** Counters and log tails of both sides, for assertion messages. */
  report: string;
  /** Deletes both sides' log directories; call it once the run's assertions have passed. */
  removeLogs(): Promise<void>;
}

/**
 * Starts the callee scenario in the background, runs the caller scenario to completion against
 * `target`, then collects the callee (which exits by itself after the same number of calls, or
 * is stopped by PID once the caller is done).
 */
export async function runScenarioPair(options: ScenarioPairOptions): Promise<ScenarioPairResult> {
  const calls = options.calls ?? options.flow.calls;
  const timeoutSeconds = options.timeoutSeconds ?? 40;
  const common = { transport: options.transport, calls, timeoutSeconds, traceMessages: options.traceMessages ?? true };
  const uas = await startSipp({ ...common, scenario: options.flow.uas, localAddress: options.uasAddress, localPort: options.uasPort });
  let uac: SippResult;
  try {
    uac = await runSipp({
      ...common,
      scenario: options.flow.uac,
      target: options.target,
      localAddress: options.callerAddress,
      localPort: await freePort(options.callerAddress),
      rate: options.rate ?? 10,
      service: DIALLED_NUMBER,
      // A stuck call fails after 10 s instead of holding the run until the global timeout.
      extraArgs: ['-recv_timeout', '10000'],
    });
  } catch (error) {
    await uas.stop();
    throw error;
  }
  const uasResult = await Promise.race([uas.result, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 3000))]);
  const finalUas = uasResult ?? (await uas.stop());
  const report = [
    `flow ${options.flow.name} over ${options.transport}`,
    await describeSippRun('caller', uac),
    await describeSippRun('callee', finalUas),
  ].join('\n');
  const removeLogs = async (): Promise<void> => {
    await Promise.all([uac.logs.dir, finalUas.logs.dir].map((dir) => rm(dir, { recursive: true, force: true })));
  };
  return { uac, uas: finalUas, report, removeLogs };
}
