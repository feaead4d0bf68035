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
    // Only the layer's abandoned-request sweep is pending, and it does not re-arm.
    expect(h.clock.pendingTimers).toBe(1);
    h.clock.advance(32_000);
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

  it('a request the TU never answers is ended by the layer sweep within 2*64*T1, answered ones are not touched', () => {
    const h = harness();
    h.clock.advance(1000);
    const ignored = receive(h, 'INFO', 'tcp', 'z9hG4bK-nist-ignored');
    h.clock.advance(20_000);
    const late = receive(h, 'INFO', 'tcp', 'z9hG4bK-nist-late');
    h.clock.advance(12_000); // first sweep at 33 s: `ignored` is 32 s old, `late` 12 s
    expect(ignored.txn.state).toBe(NonInviteServerTransactionState.Terminated);
    expect(late.txn.state).toBe(NonInviteServerTransactionState.Trying);
    late.txn.respond(responseFor(late.req, 100));
    h.clock.advance(32_000); // second sweep at 65 s: `late` is 44 s old, still unanswered
    expect(late.txn.state).toBe(NonInviteServerTransactionState.Terminated);
    expect(h.layer.stats.abandonedRequests).toBe(2);
    expect(h.transport.responses(408)).toHaveLength(0); // nothing is sent: the client has given up
    expect(h.clock.pendingTimers).toBe(0);
  });
});
