import Srf from 'drachtio-srf';
import { appSdp } from './answer-sdp.js';
import { connectToEngine, type AppOptions, type RunningApp } from './app-options.js';

/** Answers every INVITE with SDP (srf.createUAS) and lets the caller hang up. */
export async function start(options: Omit<AppOptions, 'target'>): Promise<RunningApp> {
  const srf = new Srf();
  srf.invite((req, res) => {
    srf
      .createUAS(req, res, { localSdp: appSdp() })
      .then((dialog) => dialog.on('destroy', () => undefined))
      .catch(() => undefined);
  });
  await connectToEngine(srf, options);
  return { srf, stop: () => srf.disconnect() };
}
