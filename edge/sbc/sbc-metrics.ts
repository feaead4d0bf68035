// The SBC's Prometheus figures, on the registry it is given.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { MediaAnchor } from '../../media/session/media-anchor.js';

export class SbcMetrics {
  readonly activeCalls: Gauge<'trunk'>;
  readonly attempts: Counter<'trunk' | 'direction'>;
  readonly answers: Counter<'trunk' | 'direction'>;
  readonly failures: Counter<'trunk' | 'direction' | 'code'>;
  readonly policyRejections: Counter<'step' | 'outcome'>;
  readonly rtpengineUp: Gauge;
  readonly rtpengineSessions: Gauge;
  readonly gatewayUp: Gauge<'trunk' | 'gateway'>;
  readonly registrations: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.activeCalls = new Gauge({ name: 'vpop_sbc_calls_active', help: 'Calls in progress through the edge, by trunk', labelNames: ['trunk'], registers });
    this.attempts = new Counter({ name: 'vpop_sbc_call_attempts_total', help: 'Call attempts admitted by the policy chain', labelNames: ['trunk', 'direction'], registers });
    this.answers = new Counter({ name: 'vpop_sbc_call_answers_total', help: 'Calls answered', labelNames: ['trunk', 'direction'], registers });
    this.failures = new Counter({ name: 'vpop_sbc_call_failures_total', help: 'Calls that ended before answer, by final SIP status', labelNames: ['trunk', 'direction', 'code'], registers });
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
  }

  private refreshAnchor: (() => Promise<void>) | undefined;
  private countBindings: (() => Promise<number>) | undefined;

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
