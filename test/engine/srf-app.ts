// drachtio-srf's bundled typings miss several methods that apps use at runtime
// (srf.options, connect's reconnect option, ...). Tests talk to Srf through this
// narrower, accurate view instead of casting at every call.
import Srf from 'drachtio-srf';

type Listener = (...args: never[]) => void;

export interface SrfApp {
  connect(opts: { host: string; port: number; secret: string; reconnect?: { maxAttempts?: number } }): void;
  disconnect(): void;
  on(event: string, listener: Listener): SrfApp;
  invite(handler: Listener): void;
  options(handler: Listener): void;
  bye(handler: Listener): void;
  use(method: string, handler: Listener): void;
  createUAS(req: unknown, res: unknown, opts: Record<string, unknown>): Promise<SrfDialog>;
  createUAC(uri: string, opts: Record<string, unknown>, progress?: Record<string, Listener>): Promise<SrfDialog>;
  createB2BUA(req: unknown, res: unknown, uri: string, opts?: Record<string, unknown>): Promise<{ uas: SrfDialog; uac: SrfDialog }>;
  request(uri: string, opts: Record<string, unknown>): Promise<unknown>;
}

export interface SrfDialog {
  id: string;
  sip: { callId: string; localTag: string; remoteTag: string };
  local: { sdp: string };
  remote: { sdp: string };
  on(event: string, listener: Listener): SrfDialog;
  destroy(opts?: Record<string, unknown>): Promise<unknown>;
  modify(sdp: string): Promise<unknown>;
  request(opts: Record<string, unknown>): Promise<unknown>;
}

export function newSrf(): SrfApp {
  return new Srf() as unknown as SrfApp;
}

/** Connect and resolve with the hostport string the engine reported. */
export async function connectSrf(app: SrfApp, port: number, secret: string): Promise<string> {
  return new Promise((resolve, reject) => {
    app.on('connect', ((err: Error | null, hostport: string) => (err ? reject(err) : resolve(hostport))) as Listener);
    app.on('error', (() => undefined) as Listener);
    app.connect({ host: '127.0.0.1', port, secret, reconnect: { maxAttempts: 1 } });
  });
}
