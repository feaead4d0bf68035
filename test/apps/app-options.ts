import Srf from 'drachtio-srf';

/** What every test app takes: the engine's control endpoint and where to send calls. */
export interface AppOptions {
  host: string;
  port: number;
  secret: string;
  /** host:port[;params] of the next hop, e.g. `127.0.0.1:5080;transport=tcp`. */
  target: string;
}

export interface RunningApp {
  srf: Srf;
  stop(): void;
}

/** Connects an Srf to the engine and resolves once it is authenticated. */
export function connectToEngine(srf: Srf, options: Pick<AppOptions, 'host' | 'port' | 'secret'>): Promise<void> {
  return new Promise((resolve, reject) => {
    srf.once('connect', (error: Error | null) => (error ? reject(error) : resolve()));
    srf.once('error', reject);
    srf.connect({ host: options.host, port: options.port, secret: options.secret });
  });
}

/** The Request-URI for the next hop: the dialled user part at the target. */
export function targetUri(user: string | undefined, target: string): string {
  return user ? `sip:${user}@${target}` : `sip:${target}`;
}

/** The Request-URI user part, or undefined when it has none. */
export function requestUser(requestUri: string): string | undefined {
  const user = Srf.parseUri(requestUri).user;
  return user && user.length > 0 ? user : undefined;
}
