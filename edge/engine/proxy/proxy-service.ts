// The proxy as the engine's transaction user sees it: start a drachtio `proxy`
// operation on a server transaction, pass an upstream CANCEL to it, route requests
// of record-routed dialogs (Route names us), and forward ACKs for 2xx and stray 2xx
// retransmissions statelessly.

import { pino, type Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { SipRequest, SipResponse } from '../messages/sip-message.js';
import type { SipServerTarget } from '../dns/sip-server-target.js';
import { systemClock, type Clock } from '../timers/clock.js';
import { newTag } from '../transactions/branch.js';
import type { ListenerInfo } from '../transport/types.js';
import type { ProxyLocalAddress } from './local-address.js';
import { ProxyCore } from './proxy-core.js';
import { ProxyMetrics } from './proxy-metrics.js';
import type { ProxyOptions } from './proxy-options.js';
import type {
  ProxyDependencies,
  ProxyReporter,
  ProxyServerLocator,
  ProxyServerTransaction,
  ProxyTransactionPort,
} from './proxy-ports.js';
import { prepareForwarding, stampAttempt } from './request-forwarding.js';
import { isRoutedThroughUs, nextHopUri } from './route-handling.js';
import { strayResponseForward } from './stray-response.js';

export interface ProxyServiceOptions {
  transactions: ProxyTransactionPort;
  /** Send outside any transaction (TransactionLayer.sendStateless). */
  sendStateless(message: SipRequest | SipResponse, destination: SipServerTarget): void;
  newBranch(): string;
  locator: ProxyServerLocator;
  /** Our listeners as advertised; called per use because ports are known only once bound. */
  listeners(): ProxyLocalAddress[];
  clock?: Clock;
  logger?: Logger;
  timerCMs?: number;
  maxTargets?: number;
  /** Registers the proxy's counters on this registry (never the global one). */
  registry?: Registry;
}

/** Options for routing an in-dialog request: one target (its Request-URI), no Record-Route. */
const IN_DIALOG: ProxyOptions = {
  destinations: [],
  recordRoute: false,
  fullResponse: false,
  followRedirects: false,
  forking: 'serial',
};

/** How a bound transport listener appears to the proxy (advertised address, bind address as alias). */
export function localAddressOfListener(info: ListenerInfo): ProxyLocalAddress {
  return { transport: info.transport, host: info.sentByAddress, port: info.sentByPort, aliases: [info.address] };
}

function sameFamily(a: string, b: string): boolean {
  return a.includes(':') === b.includes(':');
}

export class ProxyService {
  private readonly cores = new WeakMap<object, ProxyCore>();
  private readonly logger: Logger;
  private readonly metrics: ProxyMetrics | undefined;

  constructor(private readonly options: ProxyServiceOptions) {
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.metrics = options.registry ? new ProxyMetrics(options.registry) : undefined;
  }

  /**
   * Start proxying `request` (the drachtio `proxy` verb). `server` is its server
   * transaction; keep using the same object for cancel().
   */
  proxy(
    request: SipRequest,
    server: ProxyServerTransaction,
    options: ProxyOptions,
    reporter?: ProxyReporter,
    receivedOn?: ProxyLocalAddress,
  ): ProxyCore {
    const core = new ProxyCore({
      request, server, options, deps: this.dependencies(), ...(reporter ? { reporter } : {}), ...(receivedOn ? { receivedOn } : {}),
    });
    this.cores.set(server, core);
    core.start();
    return core;
  }

  /** An upstream CANCEL matched `server`'s INVITE; false when that INVITE is not being proxied. */
  cancel(server: ProxyServerTransaction): boolean {
    const core = this.cores.get(server);
    if (!core) return false;
    core.cancel();
    return true;
  }

  /** The request's top Route (or a strict router's Request-URI) names us: route it, do not serve it. */
  isRoutedThroughUs(request: SipRequest): boolean {
    return isRoutedThroughUs(request, this.options.listeners());
  }

  /** §16.4–16.6 for a request of a record-routed dialog: forward it statefully to its next hop. */
  routeInDialog(request: SipRequest, server: ProxyServerTransaction): ProxyCore {
    return this.proxy(request, server, IN_DIALOG);
  }

  /** Forward an ACK for a 2xx (no transaction exists for it) to its next hop. */
  async forwardAck(ack: SipRequest): Promise<boolean> {
    const locals = this.options.listeners();
    const prepared = prepareForwarding(ack, undefined, locals);
    if ('reject' in prepared) return false;
    const destinations = await this.options.locator.locate(nextHopUri(prepared.request));
    for (const destination of destinations) {
      const outbound = this.localAddressFor(destination, locals);
      if (!outbound) continue;
      const request = stampAttempt(prepared.request, { outbound, branch: this.options.newBranch(), recordRoute: false });
      this.options.sendStateless(request, destination);
      return true;
    }
    this.logger.debug('proxy: no destination for ACK');
    return false;
  }

  /** A response matching no client transaction whose top Via is ours: pass it on statelessly. */
  forwardStrayResponse(response: SipResponse): boolean {
    const forward = strayResponseForward(response, this.options.listeners());
    if (!forward) return false;
    this.options.sendStateless(forward.response, forward.destination);
    return true;
  }

  private localAddressFor(destination: SipServerTarget, locals: readonly ProxyLocalAddress[]): ProxyLocalAddress | undefined {
    const ofTransport = locals.filter((local) => local.transport === destination.transport);
    return ofTransport.find((local) => sameFamily(local.host, destination.address)) ?? ofTransport[0];
  }

  private dependencies(): ProxyDependencies {
    const locals = this.options.listeners();
    const deps: ProxyDependencies = {
      transactions: this.options.transactions,
      locator: this.options.locator,
      locals,
      localAddressFor: (destination) => this.localAddressFor(destination, locals),
      clock: this.options.clock ?? systemClock,
      newBranch: () => this.options.newBranch(),
      newTag,
      logger: this.logger,
    };
    if (this.options.timerCMs !== undefined) deps.timerCMs = this.options.timerCMs;
    if (this.options.maxTargets !== undefined) deps.maxTargets = this.options.maxTargets;
    if (this.metrics) deps.metrics = this.metrics;
    return deps;
  }
}
