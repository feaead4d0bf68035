import { describe, expect, it } from 'vitest';
import { NonInviteServerTransactionState, type NonInviteServerTransaction } from './non-invite-server-transaction.js';
import { harness, origin } from './testing/harness.js';
import { request, responseFor } from './testing/sip-fixtures.js';
import { TransactionKind } from './transaction.js';
import type { TransportProtocol } from './transaction-transport.js';

function receive(h: ReturnType<typeof harness>, method = 'OPTIONS', transport: TransportProtocol = 'udp', branch = 'z9hG4bK-nist-1') {
  const req = request({ method, branch, transport });
  h.layer.receive(req, origin(transport));
  return { req, txn: h.user.requests.at(-1)!.transaction as NonInviteServerTransaction };
}

describe('non-INVITE server transaction (RFC 3261 §17.2.2)', () => {
  it('Trying: no automatic 100, retransmissions absorbed silently', () => {
    const h = harness();
    const { txn } = receive(h);
    expect(txn.kind).toBe(TransactionKind.NonInviteServer);
    expect(txn.state).toBe(NonInviteServerTransactionState.Trying);
    h.layer.receive(request({ method: 'OPTIONS', branch: 'z9hG4bK-nist-1' }), origin());
    expect(h.transport.sent).toHaveLength(0);
    expect(h.user.requests).toHaveLength(1);
  });

  it('Proceeding resends the provisional; Completed resends the final; Timer J = 64*T1 on UDP', () => {
    const h = harness();
    const { req, txn } = receive(h, 'REGISTER');
    txn.respond(responseFor(req, 100));
    expect(txn.state).toBe(NonInviteServerTransactionState.Proceeding);
    h.layer.receive(request({ method: 'REGISTER', branch: 'z9hG4bK-nist-1' }), origin());
    expect(h.transport.responses(100)).toHaveLength(2);
    h.clock.advance(1000);
    txn.respond(responseFor(req, 200));
    expect(txn.state).toBe(NonInviteServerTransactionState.Completed);
    expect(txn.respond(responseFor(req, 500))).toBe(false);
    h.layer.receive(request({ method: 'REGISTER', branch: 'z9hG4bK-nist-1' }), origin());
    expect(h.transport.responses(200)).toHaveLength(2);
    expect(h.transport.responses(500)).toHaveLength(0);
    h.clock.advance(31_999);
    expect(txn.state).toBe(NonInviteServerTransactionState.Completed);
    h.clock.advance(1);
    expect(txn.state).toBe(NonInviteServerTransactionState.Terminated);
    expect(h.layer.activeTransactions[TransactionKind.NonInviteServer]).toBe(0);
  });

  it('over TCP a final response terminates at once (Timer J is zero)', () => {
    const h = harness();
    const { req, txn } = receive(h, 'BYE', 'tcp', 'z9hG4bK-nist-tcp');
    txn.respond(responseFor(req, 200));
    expect(txn.state).toBe(NonInviteServerTransactionState.Terminated);
    expect(h.clock.pendingTimers).toBe(0);
  });

  it('a transport error terminates and is reported to the TU', () => {
    const h = harness();
    const { req, txn } = receive(h, 'INFO', 'tcp', 'z9hG4bK-nist-err');
    h.transport.failWith = new Error('EPIPE');
    txn.respond(responseFor(req, 200));
    expect(txn.state).toBe(NonInviteServerTransactionState.Terminated);
    expect(h.user.transportErrors.map((e) => e.transaction)).toEqual([txn]);
  });
});
