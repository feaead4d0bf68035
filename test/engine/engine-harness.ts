// Starts a SipEngine on free loopback ports for tests, with UDP and TCP
// listeners open to 127.0.0.0/8 only.
import { SipEngine, type SipEngineOptions } from '../../edge/engine/engine.js';
import { AllowList } from '../../edge/engine/allow-list/allow-list.js';
import { freePort } from '../support/free-port.js';

export const TEST_SECRET = 'cymru';

export interface RunningEngine {
  engine: SipEngine;
  sipPort: number;
  controlPort: number;
  stop(): Promise<void>;
}

export async function startTestEngine(overrides: Partial<SipEngineOptions> = {}): Promise<RunningEngine> {
  const sipPort = await freePort();
  const controlPort = await freePort();
  const allowList = new AllowList(['127.0.0.0/8']);
  const engine = new SipEngine({
    listeners: [
      { name: 'udp', transport: 'udp', address: '127.0.0.1', port: sipPort, allowList },
      { name: 'tcp', transport: 'tcp', address: '127.0.0.1', port: sipPort, allowList },
    ],
    control: { address: '127.0.0.1', port: controlPort, secret: TEST_SECRET },
    ...overrides,
  });
  await engine.start();
  return { engine, sipPort, controlPort, stop: () => engine.stop() };
}

/** Live transactions of every kind (what vpop_engine_transactions_active sums to). */
export function activeTransactions(running: RunningEngine): number {
  return Object.values(running.engine.transactions.activeTransactions).reduce((sum, count) => sum + count, 0);
}

/** Short RFC 6026 / Timer D-K lingering so the transaction count reaches 0 within a test. */
export const LINGER_TIMERS = { timerD: 300, timerI: 300, timerJ: 300, timerK: 300, timerL: 300, timerM: 300 };
