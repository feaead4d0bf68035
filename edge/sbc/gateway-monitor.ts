// OPTIONS pings to every trunk gateway: a gateway that answers (any final response but
// 503) is up; one that times out, fails to connect or answers 503 is down. Outbound
// routing skips down gateways. Gateways start up so the first calls are not refused
// before the first ping round.
import type { Logger } from 'pino';
import type { TrunkConfig } from '../../platform/config/pop-schema.js';
import type { SbcMetrics } from './sbc-metrics.js';

export type OptionsPinger = (uri: string) => Promise<number>;

export class GatewayMonitor {
  private readonly state = new Map<string, boolean>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly trunks: readonly TrunkConfig[],
    private readonly ping: OptionsPinger,
    private readonly metrics: SbcMetrics,
    private readonly logger: Logger,
    private readonly intervalMs = 30_000,
  ) {
    for (const trunk of trunks) for (const gateway of trunk.gateways ?? []) this.set(trunk.name, gateway.uri, true);
  }

  isUp = (trunk: string, uri: string): boolean => this.state.get(key(trunk, uri)) ?? false;

  start(): void {
    void this.pingAll();
    this.timer = setInterval(() => void this.pingAll(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  async pingAll(): Promise<void> {
    await Promise.all(this.trunks.flatMap((trunk) => (trunk.gateways ?? []).map(async (gateway) => {
      let up: boolean;
      try {
        up = (await this.ping(gateway.uri)) !== 503;
      } catch {
        up = false;
      }
      if (up !== this.isUp(trunk.name, gateway.uri)) this.logger.warn({ trunk: trunk.name, gateway: gateway.uri, up }, 'gateway state changed');
      this.set(trunk.name, gateway.uri, up);
    })));
  }

  private set(trunk: string, uri: string, up: boolean): void {
    this.state.set(key(trunk, uri), up);
    this.metrics.gatewayUp.set({ trunk, gateway: uri }, up ? 1 : 0);
  }
}

function key(trunk: string, uri: string): string {
  return `${trunk} ${uri}`;
}
