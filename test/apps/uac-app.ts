import Srf from 'drachtio-srf';
import { appSdp } from './answer-sdp.js';
import { connectToEngine, targetUri, type AppOptions, type RunningApp } from './app-options.js';

export interface RunningUacApp extends RunningApp {
  /** Places a call to `user` at the target with srf.createUAC, holds it for holdMs, then hangs up. */
  call(user: string, holdMs: number): Promise<void>;
}

export async function start(options: AppOptions): Promise<RunningUacApp> {
  const srf = new Srf();
  await connectToEngine(srf, options);
  const call = async (user: string, holdMs: number): Promise<void> => {
    const dialog = await srf.createUAC(targetUri(user, options.target), { localSdp: appSdp() });
    await new Promise((resolve) => setTimeout(resolve, holdMs));
    await new Promise<void>((resolve, reject) => dialog.destroy(undefined, (error) => (error ? reject(error as Error) : resolve())));
  };
  return { srf, stop: () => srf.disconnect(), call };
}
