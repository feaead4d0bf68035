// Test wiring of a TransactionLayer to the real socket transport: parse what
// arrives, serialise what is sent. The engine does the same (plus metrics and
// error answers for unparseable requests) in edge/engine/engine.ts.

import { parseSipMessage } from '../../messages/parse-message.js';
import { serializeSipMessage } from '../../messages/serialize-message.js';
import type { SipRequest, SipResponse } from '../../messages/sip-message.js';
import type { TransportLayer } from '../../transport/transport-layer.js';
import type { TransactionLayer } from '../transaction-layer.js';
import {
  isReliableProtocol,
  type Destination,
  type TransactionTransport,
  type TransportErrorSink,
} from '../transaction-transport.js';

export class SocketWiring implements TransactionTransport {
  layer: TransactionLayer | undefined;

  constructor(private readonly transports: TransportLayer) {
    transports.onMessage((raw, origin) => {
      let message;
      try {
        message = parseSipMessage(raw);
      } catch {
        return;
      }
      this.layer?.receive(message, origin);
    });
  }

  send(message: SipRequest | SipResponse, target: Destination, errors?: TransportErrorSink): void {
    this.transports.send(serializeSipMessage(message), target).catch((error: unknown) => {
      errors?.onTransportError(error instanceof Error ? error : new Error(String(error)));
    });
  }

  isReliable = isReliableProtocol;
}
