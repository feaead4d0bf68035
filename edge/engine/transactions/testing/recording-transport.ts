// A TransactionTransport for state-machine unit tests: it records what the
// layer sends (with the fake clock's time) instead of writing to a socket. The
// integration tests use real UDP/TCP sockets.

import type { SipRequest, SipResponse } from '../../messages/sip-message.js';
import type { Clock } from '../../timers/clock.js';
import {
  isReliableProtocol,
  type Destination,
  type TransactionTransport,
  type TransportProtocol,
  type TransportErrorSink,
} from '../transaction-transport.js';

export interface SentMessage {
  at: number;
  message: SipRequest | SipResponse;
  target: Destination;
  errors: TransportErrorSink | undefined;
}

export class RecordingTransport implements TransactionTransport {
  readonly sent: SentMessage[] = [];
  /** When set, send() throws this error (a synchronous transport failure). */
  failWith: Error | undefined;

  constructor(private readonly clock: Clock) {}

  send(message: SipRequest | SipResponse, target: Destination, errors?: TransportErrorSink): void {
    if (this.failWith) throw this.failWith;
    this.sent.push({ at: this.clock.now(), message, target, errors });
  }

  isReliable(transport: TransportProtocol): boolean {
    return isReliableProtocol(transport);
  }

  /** Times at which a message matching `pick` was sent. */
  times(pick: (message: SipRequest | SipResponse) => boolean): number[] {
    return this.sent.filter((entry) => pick(entry.message)).map((entry) => entry.at);
  }

  requests(method: string): SipRequest[] {
    return this.sent
      .map((entry) => entry.message)
      .filter((message): message is SipRequest => message.kind === 'request' && message.method === method);
  }

  responses(status: number): SipResponse[] {
    return this.sent
      .map((entry) => entry.message)
      .filter((message): message is SipResponse => message.kind === 'response' && message.status === status);
  }
}
