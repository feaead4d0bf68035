import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/** One call flow: a SIPp caller scenario and the callee scenario it runs against. */
export interface SippFlow {
  name: string;
  uac: string;
  uas: string;
  /** Calls per run: the CANCEL/200 race needs many to hit each of its outcomes. */
  calls: number;
}

const scenarioDirectory = dirname(fileURLToPath(import.meta.url));

function flow(name: string, calls = 5): SippFlow {
  return { name, uac: join(scenarioDirectory, `${name}.uac.xml`), uas: join(scenarioDirectory, `${name}.uas.xml`), calls };
}

/** Every flow in this folder (see README.md), each known to pass SIPp against SIPp. */
export const SIPP_FLOWS: readonly SippFlow[] = [
  flow('basic-call'),
  flow('callee-bye'),
  flow('cancel'),
  flow('cancel-race', 30),
  flow('busy-486'),
  flow('unavailable-503'),
  flow('hold-unhold'),
  flow('update'),
  flow('prack'),
  flow('options'),
  flow('reinvite-before-ack'),
];

/**
 * The callee's 503 seen through a stateful proxy, which forwards it as 500 (RFC 3261 16.7):
 * for the proxy matrix only, since no proxy sits between SIPp and SIPp.
 */
export const PROXIED_503_FLOW: SippFlow = {
  name: 'proxied-503',
  uac: join(scenarioDirectory, 'proxied-503.uac.xml'),
  uas: join(scenarioDirectory, 'unavailable-503.uas.xml'),
  calls: 5,
};

/** The Request-URI user part the callers dial ([service]). */
export const DIALLED_NUMBER = '15550002222';
