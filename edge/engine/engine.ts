// The SIP engine: transports → parser → transactions → UA core ↔ control
// server (drachtio apps). One instance per process; several can share a test
// process because nothing is global (metrics go to the registry passed in).
//
// Hot-path notes: every received message is parsed once; its raw text is kept
// (WeakMap) for delivery to apps, and every message we send is serialised once
// (WeakMap) and reused for both the wire and the echo to the app.
import type { TlsOptions } from 'node:tls';
import { pino, type Logger } from 'pino';
import { Registry } from 'prom-client';
import { parseSipMessage } from './messages/parse-message.js';
import { serializeSipMessage } from './messages/serialize-message.js';
import { ownBytes } from './messages/own-copy.js';
import { SipHeaders, SipRequest, SipResponse, type SipMessage } from './messages/sip-message.js';
import { SipParseError } from './messages/sip-parse-error.js';
import type { MessageLimits } from './messages/message-limits.js';
import { TransportLayer } from './transport/transport-layer.js';
import type { ListenerConfig, ListenerInfo, MessageOrigin, TlsClientOptions, TransportLimits, Transport } from './transport/types.js';
import { TransactionLayer } from './transactions/transaction-layer.js';
import { isReliableProtocol, type Destination, type TransactionTransport, type TransportErrorSink } from './transactions/transaction-transport.js';
import { topVia } from './transactions/header-fields.js';
import { responseDestination } from './transactions/response-routing.js';
import { newTag } from './transactions/branch.js';
import { systemClock, type Clock } from './timers/clock.js';
import { resolveTimerValues, type TimerValues } from './timers/timer-values.js';
import { SipServerLocator, type SipServerLocatorOptions } from './dns/sip-server-locator.js';
import { ControlServer, ENGINE_PROTOCOL_VERSION } from './control/control-server.js';
import { UserAgentCore } from './user-agent-core/user-agent-core.js';
import { hostportFor, type EngineTransport, type LocalEndpoint } from './user-agent-core/local-endpoint.js';
import { EngineMetrics } from './engine-metrics.js';
import { registerTransactionMetrics } from './transactions/transaction-metrics.js';
import { ceilingBroken, DEFAULT_OVERLOAD_LIMITS, type OverloadLimits } from './overload/overload-limits.js';
import { SourceRateLimit } from './overload/source-rate-limit.js';
import { registerSourceRateLimitMetrics } from './overload/overload-metrics.js';
import { stampClientIdentity } from './tls-client-identity/client-identity-headers.js';
import { withTag } from './messages/headers/name-addr.js';
import { ProxyService, localAddressOfListener } from './proxy/proxy-service.js';
import { transactionLayerPort } from './proxy/transaction-layer-port.js';
import type { ProxyTransactionPort } from './proxy/proxy-ports.js';

export interface SipEngineControlOptions {
  address: string;
  port: number;
  secret: string;
  /** Serve the control protocol over TLS. */
  tls?: TlsOptions;
}

export interface SipEngineOptions {
  /** SIP listeners, each with its allow-list and optional public (external) address. */
  listeners: ListenerConfig[];
  control: SipEngineControlOptions;
  limits?: TransportLimits;
  messageLimits?: Partial<MessageLimits>;
  tlsClient?: TlsClientOptions;
  timers?: Partial<TimerValues>;
  dns?: SipServerLocatorOptions;
  logger?: Logger;
  registry?: Registry;
  clock?: Clock;
  /**
   * Consulted for every parsed request before the transaction layer (so before any
   * 100 Trying or transaction state): true, or a reason label, drops it without an
   * answer, counted in vpop_engine_discarded_requests_total{reason} (true counts as
   * 'policy'). Reasons become metric labels: keep them a small fixed set.
   */
  discardRequest?(request: SipRequest, origin: MessageOrigin): boolean | string;
  /** Per-source message rate and global ceilings (overload/overload-limits.ts); defaults for what is unset. */
  overload?: Partial<OverloadLimits>;
  /**
   * The POP's `sip.userAgent`: sent as `Server:` on every response and `User-Agent:` on every
   * request the engine puts on the wire without one of its own (topology hiding: one product
   * name instead of whatever the app or the core would reveal). Unset: nothing is added.
   */
  userAgent?: string;
}

export class SipEngine {
  readonly registry: Registry;
  readonly transport: TransportLayer;
  readonly transactions: TransactionLayer;
  readonly ua: UserAgentCore;
  readonly control: ControlServer;
  readonly metrics: EngineMetrics;
  private readonly logger: Logger;
  private readonly locator: SipServerLocator;
  private readonly messageLimits: Partial<MessageLimits> | undefined;
  private readonly controlAddress: string;
  private readonly discardRequest: SipEngineOptions['discardRequest'];
  private readonly userAgent: string | undefined;
  /** Raw bytes of received messages and wire bytes of sent ones. */
  private readonly wireBytes = new WeakMap<SipMessage, Buffer>();
  private readonly sourceRateLimit: SourceRateLimit;

  constructor(options: SipEngineOptions) {
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.userAgent = options.userAgent;
    this.registry = options.registry ?? new Registry();
    this.messageLimits = options.messageLimits;
    this.controlAddress = options.control.address;
    this.discardRequest = options.discardRequest;
    this.transport = new TransportLayer({
      listeners: options.listeners, limits: options.limits, tlsClient: options.tlsClient,
      logger: this.logger.child({ layer: 'transport' }), registry: this.registry,
    });
    this.locator = new SipServerLocator({ ...options.dns, logger: this.logger.child({ layer: 'dns' }) });
    const clock = options.clock ?? systemClock;
    const overload: OverloadLimits = { ...DEFAULT_OVERLOAD_LIMITS, ...options.overload };
    this.sourceRateLimit = new SourceRateLimit(
      { messagesPerSecond: overload.perSourceMessagesPerSecond, blockMs: overload.blockSeconds * 1000 }, clock,
    );
    const wire: TransactionTransport = {
      send: (message, target, errors) => this.sendMessage(message, target, errors),
      isReliable: isReliableProtocol,
      compact: (message) => this.compactMessage(message),
    };
    // The UA core and the transaction layer refer to each other; the stack facade breaks the cycle.
    const layer: { current?: TransactionLayer; proxyPort?: ProxyTransactionPort } = {};
    const stack = {
      newBranch: () => layer.current!.newBranch(),
      sendRequest: (...args: Parameters<TransactionLayer['sendRequest']>) => layer.current!.sendRequest(...args),
      cancel: (...args: Parameters<TransactionLayer['cancel']>) => layer.current!.cancel(...args),
      sendStateless: (...args: Parameters<TransactionLayer['sendStateless']>) => layer.current!.sendStateless(...args),
    };
    const proxy = new ProxyService({
      transactions: {
        sendRequest: (request, destination, listener) => (layer.proxyPort ??= transactionLayerPort(layer.current!)).sendRequest(request, destination, listener),
      },
      sendStateless: (message, destination) => layer.current!.sendStateless(message, destination),
      newBranch: () => layer.current!.newBranch(),
      locator: this.locator,
      listeners: () => this.transport.boundListeners().map(localAddressOfListener),
      clock, logger: this.logger.child({ layer: 'proxy' }), registry: this.registry,
    });
    this.ua = new UserAgentCore({
      stack, clock, timers: resolveTimerValues(options.timers), proxy,
      logger: this.logger.child({ layer: 'ua' }),
      environment: {
        localEndpoint: (transport, remoteAddress, listenerName) => this.localEndpoint(transport, remoteAddress, listenerName),
        locate: (uri) => this.locator.locate(uri),
        textOf: (message) => this.wireOf(message).toString('utf8'),
        proxyAddressOf: (listenerName) => {
          const info = this.transport.boundListeners().find((candidate) => candidate.name === listenerName);
          return info ? localAddressOfListener(info) : undefined;
        },
      },
    });
    const transactions = new TransactionLayer({
      transport: wire, user: this.ua, clock, timers: options.timers, logger: this.logger.child({ layer: 'transactions' }),
      refuseNewRequest: (request) => {
        const live = { transactions: totalOf(transactions.activeTransactions), dialogs: this.ua.dialogs.size };
        const broken = ceilingBroken(request, live, overload);
        if (broken === undefined) return undefined;
        this.metrics.countOverloadRejection(broken);
        return overload.retryAfterSeconds;
      },
    });
    layer.current = transactions;
    this.transactions = transactions;
    this.control = new ControlServer({
      ...options.control,
      hostports: () => this.transport.boundListeners().map((info) => hostportFor(endpointOf(info))),
      localHostports: () => this.transport.boundListeners().map((info) => hostportFor({ transport: info.transport, address: info.address, port: info.port })),
      version: ENGINE_PROTOCOL_VERSION,
      logger: this.logger.child({ layer: 'control' }),
    }, this.ua);
    const control = this.control;
    this.ua.apps = {
      selectApp: (verb) => control.selectApp(verb),
      wantsCdr: (event) => control.routes.appsFor(`cdr:${event}`).length > 0,
      publishCdr: (event, source, sip, detail) => control.publishCdr(event, source, sip, detail),
    };
    this.metrics = new EngineMetrics(this.registry, {
      transactions: () => transactions.activeTransactions,
      dialogs: () => this.ua.dialogs.size,
    });
    registerTransactionMetrics(this.registry, transactions);
    registerSourceRateLimitMetrics(this.registry, this.sourceRateLimit);
    this.transport.onMessage((raw, origin) => this.receive(raw, origin));
  }

  async start(): Promise<void> {
    await this.transport.start();
    try {
      await this.control.start();
    } catch (error) {
      await this.transport.stop();
      throw error;
    }
    this.logger.info({
      listeners: this.transport.boundListeners().map((info) => hostportFor(endpointOf(info))),
      control: `${this.controlAddress}:${this.control.port}`,
    }, 'SIP engine started');
  }

  async stop(): Promise<void> {
    await this.control.stop();
    this.ua.close();
    this.transactions.close();
    await this.transport.stop();
  }

  /** SIP endpoints as drachtio reports them (`udp/127.0.0.1:5060`). */
  hostports(): string[] {
    return this.transport.boundListeners().map((info) => hostportFor(endpointOf(info)));
  }

  private receive(raw: Buffer, origin: MessageOrigin): void {
    // Before parsing: a flooding source costs a map lookup per message, and gets silence.
    if (!this.sourceRateLimit.admit(origin.remoteAddress)) return;
    let message: SipMessage;
    try {
      message = parseSipMessage(raw, this.messageLimits);
    } catch (error) {
      this.metrics.countParseError();
      if (error instanceof SipParseError) this.answerUnparsable(error, origin);
      else this.logger.error({ err: error }, 'parser threw an unexpected error');
      return;
    }
    // Removes forged identity headers and adds the verified client certificate's.
    const restamped = stampClientIdentity(message, origin);
    if (message.kind === 'request' && this.discardRequest) {
      const discard = this.discardRequest(message, origin);
      if (discard !== false) {
        this.metrics.countDiscarded(discard === true ? 'policy' : discard);
        return;
      }
    }
    if (!restamped) this.wireBytes.set(message, raw);
    this.countMessage('in', message);
    this.transactions.receive(message, origin);
  }

  /** §8.2 / RFC 4475: a request we cannot parse gets 4xx/5xx when Via, From, To, Call-ID and CSeq were recovered. */
  private answerUnparsable(error: SipParseError, origin: MessageOrigin): void {
    const partial = error.partial;
    if (!error.canRespond || !partial || error.status === undefined) return;
    const headers = new SipHeaders();
    for (const via of partial.via ?? []) headers.append('Via', via);
    headers.append('From', partial.from ?? '');
    const to = partial.to ?? '';
    headers.append('To', to.includes('tag=') ? to : withTag(to, newTag()));
    headers.append('Call-ID', partial.callId ?? '');
    headers.append('CSeq', partial.cseq ?? '');
    const reason = `${phraseFor(error.status)} (${error.reason})`.replace(/[\r\n]/g, ' ').slice(0, 200);
    const response = new SipResponse(error.status, reason, headers);
    const via = topVia(headers);
    if (!via) return;
    const destination = responseDestination(via, origin, isReliableProtocol(origin.transport));
    this.sendMessage(response, destination);
  }

  private sendMessage(message: SipMessage, target: Destination, errors?: TransportErrorSink): void {
    const bytes = this.wireOf(message);
    this.countMessage('out', message);
    this.transport.send(bytes, target as Destination & { transport: Transport }).catch((error: Error) => {
      if (errors) errors.onTransportError(error);
      else this.logger.debug({ err: error.message, to: `${target.address}:${target.port}` }, 'send failed');
    });
  }

  /**
   * A stand-in that sends as the same bytes and counts as the same method/status but
   * holds no parsed headers (what a lingering transaction keeps for retransmission).
   */
  private compactMessage<M extends SipRequest | SipResponse>(message: M): M {
    const bytes = this.wireOf(message);
    let stand: SipMessage;
    if (message.kind === 'request') {
      stand = new SipRequest(message.method, '');
    } else {
      const cseq = message.headers.get('CSeq') ?? '';
      const method = cseq.slice(cseq.lastIndexOf(' ') + 1).trim();
      stand = new SipResponse(message.status, '', new SipHeaders([{ name: 'CSeq', value: `0 ${method}` }]));
    }
    this.wireBytes.set(stand, ownBytes(bytes));
    return stand as M;
  }

  private wireOf(message: SipMessage): Buffer {
    let bytes = this.wireBytes.get(message);
    if (bytes === undefined) {
      // Every message the engine builds or changes is serialised here (received ones keep their
      // own bytes), so this is the one place that adds the POP's product name.
      if (this.userAgent !== undefined) {
        const name = message.kind === 'request' ? 'User-Agent' : 'Server';
        if (message.headers.get(name) === undefined) message.headers.append(name, this.userAgent);
      }
      bytes = serializeSipMessage(message);
      this.wireBytes.set(message, bytes);
    }
    return bytes;
  }

  private countMessage(direction: 'in' | 'out', message: SipMessage): void {
    if (message.kind === 'request') {
      this.metrics.countMessage(direction, message.method, undefined);
      return;
    }
    const cseq = message.headers.get('CSeq') ?? '';
    const space = cseq.lastIndexOf(' ');
    this.metrics.countMessage(direction, space === -1 ? 'other' : cseq.slice(space + 1).trim(), message.status);
  }

  private localEndpoint(transport: EngineTransport, remoteAddress?: string, listenerName?: string): LocalEndpoint | undefined {
    if (listenerName !== undefined) {
      const named = this.transport.boundListeners().find((info) => info.name === listenerName);
      if (named) return endpointOf(named);
    }
    const info = this.transport.listenerFor(transport, remoteAddress);
    return info ? endpointOf(info) : undefined;
  }
}

function totalOf(counts: Readonly<Record<string, number>>): number {
  let total = 0;
  for (const count of Object.values(counts)) total += count;
  return total;
}

function endpointOf(info: ListenerInfo): LocalEndpoint {
  return { transport: info.transport, address: info.sentByAddress, port: info.sentByPort };
}

function phraseFor(status: number): string {
  switch (status) {
    case 413: return 'Request Entity Too Large';
    case 414: return 'Request-URI Too Long';
    case 416: return 'Unsupported URI Scheme';
    case 505: return 'Version Not Supported';
    case 513: return 'Message Too Large';
    default: return 'Bad Request';
  }
}
