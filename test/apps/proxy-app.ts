import Srf from 'drachtio-srf';
import { connectToEngine, requestUser, targetUri, type AppOptions, type RunningApp } from './app-options.js';

/** A stateful proxy: every INVITE is proxied (Record-Route) to the dialled user at the target. */
export async function start(options: AppOptions): Promise<RunningApp> {
  const srf = new Srf();
  srf.invite((req) => {
    srf.proxyRequest(req, [targetUri(requestUser(req.uri), options.target)], { recordRoute: true }, () => undefined);
  });
  await connectToEngine(srf, options);
  return { srf, stop: () => srf.disconnect() };
}
