// The edge SBC: a drachtio-srf app on the engine. Inbound INVITEs go through the policy
// route and become call sessions; OPTIONS keepalives are answered.
import Srf from 'drachtio-srf';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { MediaAnchor } from '../../media/session/media-anchor.js';
import { RtpengineAnchor } from '../../media/session/rtpengine-anchor.js';
import type { PopConfig } from '../../platform/config/pop-schema.js';
import { engineSecret } from '../../platform/config/pop-secrets.js';
import { CallSession } from './call/call-session.js';
import { JsonlCdrWriter, type CdrSink } from './call/cdr-writer.js';
import { inboundCallContext } from './inbound-call-context.js';
import { inboundInviteRoute, type InboundRoute } from './inbound-request-route.js';
import type { PolicyObserver } from './policy-events.js';
import { SbcMetrics } from './sbc-metrics.js';
import type { SbcMiddleware, SbcRequest, SbcResponse, SbcSrf } from './srf-types.js';

export interface SbcOptions {
  pop: PopConfig;
  registry: Registry;
  logger?: Logger;
  /** Defaults to rtpengine at the POP's ng address. */
  anchor?: MediaAnchor;
  /** Defaults to <stateDir>/cdr/edge-cdr.jsonl. */
  cdr?: CdrSink;
  /** Engine control address; defaults to the POP's engine section. */
  engine?: { host: string; port: number; secret: string };
}

export interface RunningSbc {
  metrics: SbcMetrics;
  route: InboundRoute;
  anchor: MediaAnchor;
  cdr: CdrSink;
  stop(): Promise<void>;
}

/** drachtio-srf's runtime methods the typings miss (use with a method, options, connect options). */
interface SrfRuntime {
  use(method: string, handler: SbcMiddleware): void;
  invite(handler: (req: SbcRequest, res: SbcResponse) => void): void;
  options(handler: (req: SbcRequest, res: SbcResponse) => void): void;
  on(event: string, listener: (...args: never[]) => void): void;
  connect(opts: { host: string; port: number; secret: string; reconnect?: Record<string, unknown> }): void;
  disconnect(): void;
}

export async function startSbc(options: SbcOptions): Promise<RunningSbc> {
  const { pop } = options;
  const logger = options.logger ?? pino({ level: 'silent' });
  const metrics = new SbcMetrics(options.registry);
  const anchor = options.anchor ?? new RtpengineAnchor({
    ngAddress: pop.rtpengine.ngAddress, ngPort: pop.rtpengine.ngPort, logger: logger.child({ part: 'media' }),
  });
  const cdr = options.cdr ?? new JsonlCdrWriter(join(pop.stateDir, 'cdr', 'edge-cdr.jsonl'), logger.child({ part: 'cdr' }));
  const observe: PolicyObserver = (rejection) => {
    metrics.policyRejections.inc({ step: rejection.step, outcome: String(rejection.outcome) });
    logger.info({ policy: rejection }, 'request refused by policy');
  };
  const route = inboundInviteRoute(pop, observe);
  const srf = new Srf() as unknown as SrfRuntime;

  for (const step of route.steps) srf.use('invite', step);
  srf.invite((req, res) => {
    const context = inboundCallContext(req);
    const session = new CallSession(req, res, context.trunk, context.releaseAdmission ?? (() => undefined), {
      srf: srf as unknown as SbcSrf, anchor, pop, cdr, metrics, logger,
    });
    void session.run().catch((error: unknown) => {
      logger.error({ err: error, callId: req.get('Call-ID') }, 'call session failed');
    });
  });
  srf.options((_req, res) => res.send(200));

  const engine = options.engine ?? { host: pop.engine.controlAddress, port: pop.engine.controlPort, secret: engineSecret(pop) };
  await new Promise<void>((resolve, reject) => {
    srf.on('connect', ((error: Error | null) => (error ? reject(error) : resolve())) as never);
    srf.on('error', ((error: Error) => logger.warn({ err: error }, 'engine connection error')) as never);
    srf.connect({ host: engine.host, port: engine.port, secret: engine.secret });
  });
  logger.info({ engine: `${engine.host}:${engine.port}`, trunks: pop.trunks.map((trunk) => trunk.name) }, 'SBC connected to the engine');

  return {
    metrics, route, anchor, cdr,
    stop: async () => {
      srf.disconnect();
      anchor.close();
      if (cdr instanceof JsonlCdrWriter) await cdr.flush();
    },
  };
}
