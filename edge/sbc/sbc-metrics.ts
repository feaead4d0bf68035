// The SBC's Prometheus figures, on the registry it is given. Every labelled series for
// the POP's trunks (and phones) exists from the start at 0, so dashboards show 0, not
// "no data", before the first call.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { MediaAnchor } from '../../media/session/media-anchor.js';
import type { TrunkConfig } from '../../platform/config/pop-schema.js';
import type { CallEndCause } from './call/call-end-cause.js';
import { Q850 } from './call/call-end-cause.js';

const DIRECTIONS = ['inbound', 'outbound'] as const;

/** The policy steps and the outcome each can give (invite-route.ts). */
const POLICY_OUTCOMES: readonly [string, string][] = [
  ['block-scanners', '403'], ['drain', '503'], ['identify-trunk', '403'], ['enforce-transport', '403'], ['require-srtp', '488'],
  ['codec-policy', '488'], ['call-limits', '503'], ['route-from-core', '404'], ['route-from-core', '480'], ['route-from-core', '503'],
];

export class SbcMetrics {
  readonly activeCalls: Gauge<'trunk'>;
  readonly attempts: Counter<'trunk' | 'direction'>;
  readonly answers: Counter<'trunk' | 'direction'>;
  readonly failures: Counter<'trunk' | 'direction' | 'code'>;
  readonly endings: Counter<'trunk' | 'direction' | 'cause'>;
  readonly setupSeconds: Histogram<'trunk' | 'direction'>;
  readonly durationSeconds: Histogram<'trunk' | 'direction'>;
  readonly trunkCapacity: Gauge<'trunk'>;
  readonly trunkAdmitted: Gauge<'trunk'>;
  readonly policyRejections: Counter<'step' | 'outcome'>;
  readonly rtpengineUp: Gauge;
  readonly rtpengineSessions: Gauge;
  readonly gatewayUp: Gauge<'trunk' | 'gateway'>;
  readonly registrations: Gauge;
  readonly engineConnected: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.activeCalls = new Gauge({ name: 'vpop_sbc_calls_active', help: 'Calls in progress through the edge, by trunk', labelNames: ['trunk'], registers });
    this.attempts = new Counter({ name: 'vpop_sbc_call_attempts_total', help: 'Call attempts admitted by the policy chain', labelNames: ['trunk', 'direction'], registers });
    this.answers = new Counter({ name: 'vpop_sbc_call_answers_total', help: 'Calls answered', labelNames: ['trunk', 'direction'], registers });
    this.failures = new Counter({ name: 'vpop_sbc_call_failures_total', help: 'Calls that ended before answer, by final SIP status', labelNames: ['trunk', 'direction', 'code'], registers });
    this.endings = new Counter({
      name: 'vpop_sbc_call_endings_total', help: 'Answered calls ended, by cause (as in the CDR: normal-clearing, session-timer, media-timeout, ...)',
      labelNames: ['trunk', 'direction', 'cause'], registers,
    });
    this.setupSeconds = new Histogram({
      name: 'vpop_sbc_call_setup_seconds', help: 'INVITE received to call answered, seconds', labelNames: ['trunk', 'direction'], registers,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
    });
    this.durationSeconds = new Histogram({
      name: 'vpop_sbc_call_duration_seconds', help: 'Answer to hang-up of answered calls, seconds', labelNames: ['trunk', 'direction'], registers,
      buckets: [5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200],
    });
    this.trunkCapacity = new Gauge({ name: 'vpop_sbc_trunk_capacity_calls', help: 'Concurrent calls the trunk may carry (maxConcurrentCalls)', labelNames: ['trunk'], registers });
    this.trunkAdmitted = new Gauge({
      name: 'vpop_sbc_trunk_admitted_calls', help: 'Concurrent-call slots of the trunk held by calls now (admission)', labelNames: ['trunk'], registers,
      collect: () => this.countAdmitted?.(),
    });
    this.policyRejections = new Counter({ name: 'vpop_sbc_policy_rejections_total', help: 'Requests refused by a policy step, by step and status (or dropped)', labelNames: ['step', 'outcome'], registers });
    this.rtpengineUp = new Gauge({
      name: 'vpop_sbc_rtpengine_reachable', help: '1 when rtpengine answered the SBC\'s ng list at this scrape', registers,
      collect: () => this.refreshAnchor?.(),
    });
    this.rtpengineSessions = new Gauge({
      name: 'vpop_sbc_rtpengine_sessions', help: 'Calls rtpengine holds, from the SBC\'s ng list at this scrape', registers,
      collect: () => this.refreshAnchor?.(),
    });
    this.gatewayUp = new Gauge({ name: 'vpop_sbc_gateway_up', help: '1 when the trunk gateway answered its last OPTIONS ping', labelNames: ['trunk', 'gateway'], registers });
    this.registrations = new Gauge({
      name: 'vpop_sbc_phone_registrations', help: 'Phone bindings held by the registrar', registers,
      collect: async () => { if (this.countBindings) this.registrations.set(await this.countBindings()); },
    });
    this.engineConnected = new Gauge({ name: 'vpop_sbc_engine_connected', help: '1 while the SBC holds its control connection to the SIP engine', registers });
  }

  private refreshAnchor: (() => Promise<void>) | undefined;
  private countBindings: (() => Promise<number>) | undefined;
  private countAdmitted: (() => void) | undefined;

  /** Every labelled series of the POP's trunks (and "phones" when phones are configured) at 0. */
  initialise(trunks: readonly TrunkConfig[], phones: boolean): void {
    const routes = [...trunks.map((trunk) => trunk.name), ...(phones ? ['phones'] : [])];
    for (const trunk of routes) {
      this.activeCalls.set({ trunk }, 0);
      for (const direction of DIRECTIONS) {
        const labels = { trunk, direction };
        this.attempts.inc(labels, 0);
        this.answers.inc(labels, 0);
        this.setupSeconds.zero(labels);
        this.durationSeconds.zero(labels);
        for (const cause of Object.keys(Q850) as CallEndCause[]) this.endings.inc({ ...labels, cause }, 0);
      }
    }
    for (const trunk of trunks) {
      this.trunkCapacity.set({ trunk: trunk.name }, trunk.maxConcurrentCalls);
      this.trunkAdmitted.set({ trunk: trunk.name }, 0);
      for (const gateway of trunk.gateways ?? []) this.gatewayUp.set({ trunk: trunk.name, gateway: gateway.uri }, 0);
    }
    for (const [step, outcome] of POLICY_OUTCOMES) this.policyRejections.inc({ step, outcome }, 0);
    this.engineConnected.set(0);
  }

  /** Admission slots held per trunk, read at each scrape. */
  observeAdmission(trunks: readonly TrunkConfig[], active: (trunk: string) => number): void {
    this.countAdmitted = () => {
      for (const trunk of trunks) this.trunkAdmitted.set({ trunk: trunk.name }, active(trunk.name));
    };
  }

  /** rtpengine reachability and session count, asked at each scrape. */
  observeAnchor(anchor: MediaAnchor): void {
    let pending: Promise<void> | undefined;
    const refresh = (): Promise<void> => {
      // Both gauges share one ng query per scrape.
      pending ??= anchor.activeCalls().then(
        (calls) => { this.rtpengineUp.set(1); this.rtpengineSessions.set(calls); },
        () => { this.rtpengineUp.set(0); },
      ).finally(() => { pending = undefined; });
      return pending;
    };
    this.refreshAnchor = refresh;
  }

  observeRegistrar(count: () => Promise<number>): void {
    this.countBindings = count;
  }
}
