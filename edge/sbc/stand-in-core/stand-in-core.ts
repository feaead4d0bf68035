// The stand-in for the routing core until it exists: its own SIP engine on the core's SIP
// address and a drachtio-srf app that answers every call with an RTP echo. The README's
// first call reaches it through the edge, and the caller hears their own voice.
import Srf from 'drachtio-srf';
import { randomBytes } from 'node:crypto';
import { pino, type Logger } from 'pino';
import { AllowList } from '../../engine/allow-list/allow-list.js';
import { SipEngine } from '../../engine/engine.js';
import type { ListenerConfig, TlsClientOptions } from '../../engine/transport/types.js';
import { RtpEcho } from './rtp-echo.js';

export interface StandInCoreOptions {
  /** The core's SIP address and UDP port (routingCore.sipUri), when not given as `link`. */
  address: string;
  port: number;
  /** Who may call it: the edge's addresses. */
  allow: readonly string[];
  /** The core's side of the link from the POP file (engine-options' coreEngineLink): replaces address/port/allow. */
  link?: { listener: ListenerConfig; tlsClient?: TlsClientOptions };
  logger?: Logger;
}

export interface RunningStandInCore {
  port: number;
  stop(): Promise<void>;
}

interface StandInDialog {
  on(event: 'destroy', listener: () => void): void;
}

interface StandInSrf {
  invite(handler: (req: { body: string }, res: unknown) => void): void;
  createUAS(req: unknown, res: unknown, opts: { localSdp: string }): Promise<StandInDialog>;
  on(event: string, listener: (...args: never[]) => void): void;
  connect(opts: { host: string; port: number; secret: string }): void;
  disconnect(): void;
}

export async function startStandInCore(options: StandInCoreOptions): Promise<RunningStandInCore> {
  const logger = options.logger ?? pino({ level: 'silent' });
  const secret = randomBytes(16).toString('hex');
  const listener: ListenerConfig = options.link?.listener
    ?? { name: 'core-udp', transport: 'udp', address: options.address, port: options.port, allowList: new AllowList(options.allow) };
  const engine = new SipEngine({
    listeners: [listener],
    control: { address: '127.0.0.1', port: 0, secret },
    logger: logger.child({ part: 'engine' }),
    ...(options.link?.tlsClient ? { tlsClient: options.link.tlsClient } : {}),
  });
  await engine.start();
  const srf = new Srf() as unknown as StandInSrf;
  const echoes = new Set<RtpEcho>();
  srf.invite((req, res) => {
    void (async () => {
      const echo = await RtpEcho.open(options.address);
      echoes.add(echo);
      const release = (): void => { echo.close(); echoes.delete(echo); };
      try {
        const dialog = await srf.createUAS(req, res, { localSdp: echo.answer() });
        logger.info('stand-in core answered a call (echo)');
        dialog.on('destroy', release);
      } catch {
        release();
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    srf.on('connect', ((error: Error | null) => (error ? reject(error) : resolve())) as never);
    srf.on('error', (() => undefined) as never);
    srf.connect({ host: '127.0.0.1', port: engine.control.port, secret });
  });
  const bound = engine.transport.boundListeners()[0];
  return {
    port: bound?.port ?? options.port,
    stop: async () => {
      srf.disconnect();
      for (const echo of echoes) echo.close();
      echoes.clear();
      await engine.stop();
    },
  };
}
