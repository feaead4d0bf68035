// Joins the socket transport (edge/engine/transport/) to the transaction layer:
// received bytes are parsed and handed to layer.receive(); messages the layer
// sends are serialised and written. Unparseable requests get the status the
// parser names (400, 413, 414, 505, 513) when a response can be formed
// (RFC 3261 §8.2 / §16.3); anything else is dropped.

import { pino, type Logger } from 'pino';
import type { MessageLimits } from '../messages/message-limits.js';
import { parseSipMessage } from '../messages/parse-message.js';
import { serializeSipMessage } from '../messages/serialize-message.js';
import { SipHeaders, SipResponse, type SipRequest } from '../messages/sip-message.js';
import { SipParseError } from '../messages/sip-parse-error.js';
import type { TransportLayer } from '../transport/transport-layer.js';
import { newTag } from './branch.js';
import { parseViaParm, splitFirstVia } from './header-fields.js';
import { responseDestination } from './response-routing.js';
import type { TransactionLayer } from './transaction-layer.js';
import {
  isReliableProtocol,
  type Destination,
  type MessageOrigin,
  type TransactionTransport,
  type TransportErrorSink,
  type TransportProtocol,
} from './transaction-transport.js';

const STATUS_REASONS: Record<number, string> = {
  400: 'Bad Request',
  413: 'Request Entity Too Large',
  414: 'Request-URI Too Long',
  416: 'Unsupported URI Scheme',
  505: 'Version Not Supported',
  513: 'Message Too Large',
};

export interface TransportBindingStats {
  parseErrors: number;
  parseErrorResponses: number;
  sendErrors: number;
}

export class TransportBinding implements TransactionTransport {
  readonly stats: TransportBindingStats = { parseErrors: 0, parseErrorResponses: 0, sendErrors: 0 };
  private layer: TransactionLayer | undefined;
  private readonly logger: Logger;
  private readonly limits: Partial<MessageLimits> | undefined;

  constructor(
    private readonly transports: TransportLayer,
    options: { logger?: Logger; limits?: Partial<MessageLimits> } = {},
  ) {
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.limits = options.limits;
    transports.onMessage(this.onRaw);
  }

  /** The transaction layer that gets every parsed message (set once, after both exist). */
  attach(layer: TransactionLayer): void {
    this.layer = layer;
  }

  send(message: SipRequest | SipResponse, target: Destination, errors?: TransportErrorSink): void {
    const data = serializeSipMessage(message);
    this.transports.send(data, target).catch((error: unknown) => {
      this.stats.sendErrors++;
      const failure = error instanceof Error ? error : new Error(String(error));
      if (errors) errors.onTransportError(failure);
      else this.logger.debug({ err: failure, transport: target.transport }, 'stateless send failed');
    });
  }

  isReliable(transport: TransportProtocol): boolean {
    return isReliableProtocol(transport);
  }

  private readonly onRaw = (raw: Buffer, origin: MessageOrigin): void => {
    let message;
    try {
      message = parseSipMessage(raw, this.limits);
    } catch (error) {
      this.stats.parseErrors++;
      if (error instanceof SipParseError) this.answerParseError(error, origin);
      return;
    }
    this.layer?.receive(message, origin);
  };

  private answerParseError(error: SipParseError, origin: MessageOrigin): void {
    this.logger.debug({ reason: error.reason, remote: origin.remoteAddress }, 'unparseable SIP message');
    // Never answer an ACK (§17.1.1.3: it gets no response), nor what cannot be answered.
    if (!error.canRespond || error.status === undefined || error.partial?.method === 'ACK') return;
    const partial = error.partial!;
    const vias = partial.via!;
    const via = parseViaParm(splitFirstVia(vias[0]!).first);
    if (!via) return;
    const headers = new SipHeaders();
    for (const line of vias) headers.append('Via', line);
    headers.append('From', partial.from!);
    headers.append('To', /;\s*tag=/i.test(partial.to!) ? partial.to! : `${partial.to!};tag=${newTag()}`);
    headers.append('Call-ID', partial.callId!);
    headers.append('CSeq', partial.cseq!);
    headers.append('Content-Length', '0');
    const response = new SipResponse(error.status, STATUS_REASONS[error.status] ?? 'Bad Request', headers);
    this.stats.parseErrorResponses++;
    this.send(response, responseDestination(via, origin, this.isReliable(origin.transport)));
  }
}
