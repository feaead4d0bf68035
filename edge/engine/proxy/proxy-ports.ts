// The boundary between the proxy and the rest of the engine. The engine wiring
// adapts its transaction layer, DNS locator, listeners and the control protocol
// to these small interfaces, so the proxy logic runs against real layers in the
// engine and against a fake clock in unit tests.

import type { Logger } from 'pino';
import type { SipRequest, SipResponse } from '../messages/sip-message.js';
import type { SipServerTarget } from '../dns/sip-server-target.js';
import type { Clock } from '../timers/clock.js';
import type { ProxyLocalAddress } from './local-address.js';
import type { ProxyMetrics } from './proxy-metrics.js';

/** The server transaction of the request being proxied (the upstream side). */
export interface ProxyServerTransaction {
  /** Send a response upstream; the proxy has already removed its own Via. */
  respond(response: SipResponse): void;
}

/** Reports from one downstream client transaction. */
export interface ProxyClientListener {
  /** Every response the transaction passes up: provisionals, the final, further 2xx (RFC 6026). */
  onResponse(response: SipResponse): void;
  /** Timer B/F: no final response. */
  onTimeout(): void;
  /** The transport could not deliver the request (connection refused, no route…). */
  onTransportError(error: Error): void;
}

export interface ProxyClientTransaction {
  /**
   * CANCEL this INVITE branch (§9.1). The transaction layer sends it once a
   * provisional response has arrived, and never if none does.
   */
  cancel(): void;
}

export interface ProxyTransactionPort {
  /** Start a client transaction; the request already carries our Via with a fresh branch. */
  sendRequest(request: SipRequest, destination: SipServerTarget, listener: ProxyClientListener): ProxyClientTransaction;
}

export interface ProxyServerLocator {
  /** RFC 3263 targets for a URI, in the order to try them; [] when it does not resolve. */
  locate(uri: string): Promise<SipServerTarget[]>;
}

/** What the drachtio `proxy` verb reports back to the app (drachtio-srf Request#proxy). */
export interface ProxyReporter {
  /** A final response arrived from a target. */
  finalResponse(response: SipResponse, source: SipServerTarget): void;
  /** The proxy operation is over (a 2xx arrived, or the best final response went upstream). */
  done(): void;
  /** The request could not be proxied at all (e.g. Max-Forwards exhausted); the reason goes to the app. */
  failed(reason: string): void;
}

export interface ProxyDependencies {
  transactions: ProxyTransactionPort;
  locator: ProxyServerLocator;
  /** Every address that is ours: recognises our own Route/Record-Route entries and Vias. */
  locals: readonly ProxyLocalAddress[];
  /** The listener to send from for a destination; undefined when we have none for its transport/family. */
  localAddressFor(destination: SipServerTarget): ProxyLocalAddress | undefined;
  clock: Clock;
  newBranch(): string;
  /** A To tag for responses the proxy generates itself (408, 483, 487...). */
  newTag(): string;
  logger: Logger;
  /** RFC 3261 §16.6 step 11 Timer C, > 3 min; default 180 000 ms. */
  timerCMs?: number;
  /** Upper bound on targets per request, redirects included (default 16). */
  maxTargets?: number;
  metrics?: ProxyMetrics;
}
