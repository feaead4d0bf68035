// The edge SBC: a drachtio-srf app on the engine. Inbound INVITEs go through the policy
// route and become call sessions; OPTIONS keepalives are answered.
import Srf from 'drachtio-srf';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { componentLogger } from '../../platform/logging/logger.js';
import type { Registry } from 'prom-client';
import type { MediaAnchor } from '../../media/session/media-anchor.js';
import { RtpengineAnchor } from '../../media/session/rtpengine-anchor.js';
import type { PopConfig } from '../../platform/config/pop-schema.js';
import { engineSecret } from '../../platform/config/pop-secrets.js';
import { CallSession } from './call/call-session.js';
import { JsonlCdrWriter, type CdrSink } from './call/cdr-writer.js';
import { OpenCallJournal } from './call/open-call-journal.js';
import { CallAudit } from './call/call-audit.js';
import { recordRefusals } from './call/refusal-record.js';
import { EngineDialogQuery } from './engine-dialog-query.js';
import { inboundPlan } from './call/inbound-plan.js';
import { inboundCallContext } from './inbound-call-context.js';
import { inviteRoute } from './invite-route.js';
import type { CallPlan } from './call/call-plan.js';
import { CallAdmission } from './policy/call-admission.js';
import { TrunkDirectory } from './policy/trunk-identification.js';
import { GatewayMonitor } from './gateway-monitor.js';
import { Registrar } from './registrar/registrar.js';
import { InMemoryBindingStore, type BindingStore } from './registrar/binding-store.js';
import { NonceIssuer } from './registrar/nonce-issuer.js';
import { phoneSecrets, registrarMetrics } from './registrar/phone-secrets.js';
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
  /** Phone bindings; in memory by default. */
  bindings?: BindingStore;
  /** Gateway OPTIONS ping interval. */
  gatewayPingIntervalMs?: number;
  /** rtpengine may stay unreachable this long before its calls are ended; default 3 audit intervals. */
  mediaLostAfterMs?: number;
  /** Told when the engine connection drops (false) and comes back (true) after the first connect. */
  onEngineConnection?: (connected: boolean) => void;
}

export interface RunningSbc {
  metrics: SbcMetrics;
  admission: CallAdmission;
  registrar: Registrar | undefined;
  gateways: GatewayMonitor;
  anchor: MediaAnchor;
  cdr: CdrSink;
  /** Calls in progress. */
  calls: ReadonlySet<CallSession>;
  audit: CallAudit;
  stop(): Promise<void>;
}

interface OutgoingRequest {
  on(event: 'response', listener: (res: { status: number }) => void): void;
}

/** drachtio-srf's runtime methods the typings miss (use with a method, options, connect options). */
interface SrfRuntime {
  use(method: string, handler: SbcMiddleware): void;
  invite(handler: (req: SbcRequest, res: SbcResponse) => void): void;
  options(handler: (req: SbcRequest, res: SbcResponse) => void): void;
  register(handler: (req: SbcRequest, res: SbcResponse) => void): void;
  request(uri: string, opts: Record<string, unknown>): Promise<OutgoingRequest>;
  on(event: string, listener: (...args: never[]) => void): void;
  connect(opts: { host: string; port: number; secret: string; reconnect?: { retryMaxDelay?: number } }): void;
  disconnect(): void;
}

export async function startSbc(options: SbcOptions): Promise<RunningSbc> {
  const { pop } = options;
  const logger = options.logger ?? componentLogger('sbc');
  const metrics = new SbcMetrics(options.registry);
  const anchor = options.anchor ?? new RtpengineAnchor({
    ngAddress: pop.rtpengine.ngAddress, ngPort: pop.rtpengine.ngPort, logger: logger.child({ part: 'media' }),
  });
  const cdr = options.cdr ?? new JsonlCdrWriter(join(pop.stateDir, 'cdr', 'edge-cdr.jsonl'), logger.child({ part: 'cdr' }));
  // Calls a killed predecessor left open get their stop before this SBC takes calls.
  const journal = new OpenCallJournal(join(pop.stateDir, 'cdr', 'open-calls.jsonl'), logger.child({ part: 'cdr' }));
  // Their media too: rtpengine still holds what the predecessor anchored.
  for (const stop of journal.recover(cdr)) void anchor.delete({ callId: stop.callId });
  const observe: PolicyObserver = (rejection) => {
    metrics.policyRejections.inc({ step: rejection.step, outcome: String(rejection.outcome) });
    logger.info({ policy: rejection }, 'request refused by policy');
  };
  const srf = new Srf() as unknown as SrfRuntime;
  const admission = new CallAdmission();
  metrics.initialise(pop.trunks, pop.phones !== undefined);
  metrics.observeAdmission(pop.trunks, (trunk) => admission.active(trunk));
  const registrar = pop.phones === undefined ? undefined : new Registrar({
    phones: pop.phones, secrets: phoneSecrets(pop), store: options.bindings ?? new InMemoryBindingStore(),
    nonces: new NonceIssuer(), observer: registrarMetrics(options.registry), logger: logger.child({ part: 'registrar' }),
  });
  const gateways = new GatewayMonitor(pop.trunks, (uri) => pingOptions(srf, uri), metrics, logger.child({ part: 'gateways' }),
    options.gatewayPingIntervalMs);
  metrics.observeAnchor(anchor);
  if (registrar) metrics.observeRegistrar(() => registrar.count());
  const calls = new Set<CallSession>();
  const sessionRequests = new WeakSet<SbcRequest>();
  const sessionTimers = {
    seconds: pop.sbc?.sessionExpiresSeconds ?? 1800, minSeconds: pop.sbc?.minSessionExpiresSeconds ?? 90,
  };
  const startCall = (req: SbcRequest, res: SbcResponse, plan: CallPlan): void => {
    sessionRequests.add(req);
    const session = new CallSession(req, res, plan, {
      srf: srf as unknown as SbcSrf, anchor, pop, cdr, journal, metrics, logger, sessionTimers,
      onEnded: (ended) => calls.delete(ended),
    });
    calls.add(session);
    void session.run().catch((error: unknown) => {
      logger.error({ err: error, callId: req.get('Call-ID') }, 'call session failed');
      void session.hangUp('media-unavailable', 'call session failed');
    });
  };
  const steps = inviteRoute({
    pop, directory: new TrunkDirectory(pop.trunks), admission, registrar, gatewayUp: gateways.isUp, startCall, observe,
  });
  srf.use('invite', recordRefusals(pop, cdr, sessionRequests));
  for (const step of steps) srf.use('invite', step);
  srf.invite((req, res) => {
    const context = inboundCallContext(req);
    startCall(req, res, inboundPlan(req, context.trunk, pop, context.releaseAdmission ?? (() => undefined)));
  });
  if (registrar) srf.register(registrar.handle);
  srf.options((_req, res) => res.send(200));

  const engine = options.engine ?? { host: pop.engine.controlAddress, port: pop.engine.controlPort, secret: engineSecret(pop) };
  const engineDialogs = new EngineDialogQuery(engine);
  const auditIntervalMs = (pop.sbc?.auditIntervalSeconds ?? 5) * 1000;
  const audit = new CallAudit({
    calls, anchor, logger: logger.child({ part: 'audit' }),
    engineDialogs: (ids) => engineDialogs.existing(ids),
    mediaLostAfterMs: options.mediaLostAfterMs ?? 3 * auditIntervalMs,
  });
  let connections = 0;
  await new Promise<void>((resolve, reject) => {
    srf.on('connect', ((error: Error | null) => {
      if (error) {
        reject(error);
        return;
      }
      metrics.engineConnected.set(1);
      // A reconnect: the engine may have restarted or dropped this app's dialogs.
      if (++connections > 1) {
        logger.warn('reconnected to the engine; auditing calls');
        void audit.run();
      }
      resolve();
    }) as never);
    srf.on('close', (() => {
      metrics.engineConnected.set(0);
      audit.engineConnectionLost();
      logger.warn('engine control connection lost');
    }) as never);
    srf.on('error', ((error: Error) => logger.warn({ err: error }, 'engine connection error')) as never);
    // Reconnect within a second of the engine coming back (drachtio-srf's backoff is otherwise unbounded).
    srf.connect({ host: engine.host, port: engine.port, secret: engine.secret, reconnect: { retryMaxDelay: 1000 } });
  });
  logger.info({ engine: `${engine.host}:${engine.port}`, trunks: pop.trunks.map((trunk) => trunk.name) }, 'SBC connected to the engine');
  srf.on('close', (() => options.onEngineConnection?.(false)) as never);
  srf.on('connect', ((error: Error | null) => options.onEngineConnection?.(error === null)) as never);
  gateways.start();
  const auditTimer = setInterval(() => {
    journal.touch();
    void audit.run();
  }, auditIntervalMs);

  return {
    metrics, admission, registrar, gateways, anchor, cdr, calls, audit,
    stop: async () => {
      clearInterval(auditTimer);
      gateways.stop();
      await Promise.all([...calls].map((call) => call.hangUp('sbc-shutdown', 'SBC stopped')));
      engineDialogs.close();
      // drachtio-srf asserts when it holds no engine connection (vpop up stops the engine
      // alongside the SBC): then there is nothing to disconnect.
      try {
        srf.disconnect();
      } catch {
        // not connected
      }
      anchor.close();
      journal.close();
      if (cdr instanceof JsonlCdrWriter) cdr.close();
    },
  };
}

/** One OPTIONS to a gateway; its final status, or a rejection after 5 s. */
function pingOptions(srf: SrfRuntime, uri: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('OPTIONS timed out')), 5000);
    srf.request(uri, { method: 'OPTIONS' }).then((req) => {
      req.on('response', (res) => {
        if (res.status < 200) return;
        clearTimeout(timer);
        resolve(res.status);
      });
    }, (error: unknown) => {
      clearTimeout(timer);
      reject(error instanceof Error ? error : new Error(String(error)));
    });
  });
}
