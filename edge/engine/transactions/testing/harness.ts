// A transaction layer on a FakeClock and a RecordingTransport, with a TU that
// records what it is told. Used by the state-machine unit tests.

import type { SipRequest, SipResponse } from '../../messages/sip-message.js';
import { FakeClock } from '../../timers/clock.js';
import type { TimerValues } from '../../timers/timer-values.js';
import type { InviteServerTransaction } from '../invite-server-transaction.js';
import type { ClientTransactionListener, Transaction } from '../transaction.js';
import { TransactionLayer } from '../transaction-layer.js';
import type { MessageOrigin, TransportProtocol } from '../transaction-transport.js';
import type { ServerTransaction, TransactionUser } from '../transaction-user.js';
import { RecordingTransport } from './recording-transport.js';

export class RecordingUser implements TransactionUser {
  readonly requests: { request: SipRequest; transaction: ServerTransaction }[] = [];
  readonly cancels: { invite: InviteServerTransaction; cancel: SipRequest }[] = [];
  readonly acks: SipRequest[] = [];
  readonly strays: SipResponse[] = [];
  readonly timeouts: ServerTransaction[] = [];
  readonly transportErrors: { transaction: ServerTransaction; error: Error }[] = [];
  /** Set to undefined to leave the 487 to the layer. */
  onCancel: TransactionUser['onCancel'];

  constructor() {
    this.onCancel = (invite, cancel) => {
      this.cancels.push({ invite, cancel });
    };
  }

  onRequest(request: SipRequest, transaction: ServerTransaction): void {
    this.requests.push({ request, transaction });
  }
  onAck2xx(ack: SipRequest): void {
    this.acks.push(ack);
  }
  onStrayResponse(response: SipResponse): void {
    this.strays.push(response);
  }
  onTransactionTimeout(transaction: ServerTransaction): void {
    this.timeouts.push(transaction);
  }
  onTransportError(transaction: ServerTransaction, error: Error): void {
    this.transportErrors.push({ transaction, error });
  }
}

export class RecordingListener implements ClientTransactionListener {
  readonly responses: { at: number; response: SipResponse }[] = [];
  timeouts: number[] = [];
  errors: Error[] = [];
  constructor(private readonly clock: FakeClock) {}
  onResponse(response: SipResponse): void {
    this.responses.push({ at: this.clock.now(), response });
  }
  onTimeout(_transaction: Transaction): void {
    this.timeouts.push(this.clock.now());
  }
  onTransportError(_transaction: Transaction, error: Error): void {
    this.errors.push(error);
  }
}

export interface Harness {
  clock: FakeClock;
  transport: RecordingTransport;
  user: RecordingUser;
  layer: TransactionLayer;
  listener: RecordingListener;
}

export function harness(options: { timers?: Partial<TimerValues>; tryingDelay?: number; user?: RecordingUser } = {}): Harness {
  const clock = new FakeClock();
  const transport = new RecordingTransport(clock);
  const user = options.user ?? new RecordingUser();
  const layer = new TransactionLayer({
    transport,
    user,
    clock,
    ...(options.timers ? { timers: options.timers } : {}),
    ...(options.tryingDelay !== undefined ? { tryingDelay: options.tryingDelay } : {}),
  });
  return { clock, transport, user, layer, listener: new RecordingListener(clock) };
}

export function origin(transport: TransportProtocol = 'udp', remoteAddress = '127.0.0.1', remotePort = 5070): MessageOrigin {
  return {
    transport,
    remoteAddress,
    remotePort,
    localAddress: '127.0.0.1',
    localPort: 5060,
    listenerName: 'test',
    ...(transport === 'udp' ? {} : { connectionId: 'conn-1' }),
  };
}

export const udpTarget = { transport: 'udp', address: '127.0.0.1', port: 5080 } as const;
export const tcpTarget = { transport: 'tcp', address: '127.0.0.1', port: 5080 } as const;
