import Srf from 'drachtio-srf';
import { connectToEngine, type AppOptions, type RunningApp } from './app-options.js';

/** Answers out-of-dialog OPTIONS (carrier keepalives) with 200 and the methods supported. */
export async function start(options: Omit<AppOptions, 'target'>): Promise<RunningApp> {
  const srf = new Srf();
  // srf.options exists at runtime (one verb per SIP method) but is missing from the bundled typings.
  const withOptions = srf as unknown as { options(handler: (req: Srf.SrfRequest, res: Srf.SrfResponse) => void): void };
  withOptions.options((_req, res) => {
    res.send(200, { headers: { Allow: 'INVITE, ACK, BYE, CANCEL, OPTIONS, UPDATE, PRACK, INFO', Accept: 'application/sdp' } });
  });
  await connectToEngine(srf, options);
  return { srf, stop: () => srf.disconnect() };
}
