import { describe, expect, it } from 'vitest';
import { InviteServerTransactionState, type InviteServerTransaction } from './invite-server-transaction.js';
import { harness, origin } from './testing/harness.js';
import { request, responseFor } from './testing/sip-fixtures.js';
import { TransactionKind } from './transaction.js';
import type { TransportProtocol } from './transaction-transport.js';

const status = (code: number) => (m: { kind: string; status?: number }): boolean =>
  m.kind === 'response' && m.status === code;

function receiveInvite(h: ReturnType<typeof harness>, transport: TransportProtocol = 'udp', branch = 'z9hG4bK-ist-1') {
  const req = request({ method: 'INVITE', branch, transport });
  h.layer.receive(req, origin(transport));
  const entry = h.user.requests.at(-1)!;
  return { req, txn: entry.transaction as InviteServerTransaction };
}

describe('INVITE server transaction (RFC 3261 §17.2.1, RFC 6026)', () => {
  it('sends 100 Trying at once by default, hands the INVITE to the TU, and answers retransmissions with the last provisional', () => {
    const h = harness();
    const { req, txn } = receiveInvite(h);
    expect(txn.kind).toBe(TransactionKind.InviteServer);
    expect(txn.state).toBe(InviteServerTransactionState.Proceeding);
    expect(h.transport.times(status(100))).toEqual([0]);
    const trying = h.transport.responses(100)[0]!;
    expect(trying.headers.get('To')).not.toContain('tag=');
    expect(trying.headers.get('Via')).toBe(req.headers.get('Via'));
    h.clock.advance(500);
    h.layer.receive(request({ method: 'INVITE', branch: 'z9hG4bK-ist-1' }), origin());
    expect(h.transport.times(status(100))).toEqual([0, 500]);
    txn.respond(responseFor(req, 180));
    h.clock.advance(500);
    h.layer.receive(request({ method: 'INVITE', branch: 'z9hG4bK-ist-1' }), origin());
    expect(h.transport.times(status(180))).toEqual([500, 1000]);
    expect(h.user.requests).toHaveLength(1);
    expect(h.layer.stats.requestRetransmissions).toBe(2);
  });

  it('with a 200 ms Trying delay: no 100 if the TU responds first, a 100 at 200 ms if it does not', () => {
    const h = harness({ tryingDelay: 200 });
    const first = receiveInvite(h, 'udp', 'z9hG4bK-ist-fast');
    h.clock.advance(50);
    first.txn.respond(responseFor(first.req, 180));
    const second = receiveInvite(h, 'udp', 'z9hG4bK-ist-slow');
    h.clock.advance(300);
    expect(h.transport.times(status(100))).toEqual([250]);
    expect(h.transport.responses(100)[0]!.headers.get('Via')).toBe(second.req.headers.get('Via'));
  });

  it('a non-2xx final over UDP: Timer G retransmits at T1 doubling to T2, Timer H gives up at 64*T1 and tells the TU', () => {
    const h = harness();
    const { req, txn } = receiveInvite(h);
    txn.respond(responseFor(req, 486));
    expect(txn.state).toBe(InviteServerTransactionState.Completed);
    h.clock.advance(31_999);
    expect(h.transport.times(status(486))).toEqual([0, 500, 1500, 3500, 7500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500]);
    expect(h.user.timeouts).toHaveLength(0);
    h.clock.advance(1);
    expect(txn.state).toBe(InviteServerTransactionState.Terminated);
    expect(h.user.timeouts).toEqual([txn]);
    expect(h.clock.pendingTimers).toBe(0);
  });

  it('a retransmitted INVITE in Completed gets the final again; the ACK confirms; Timer I = T4 absorbs ACKs', () => {
    const h = harness();
    const { req, txn } = receiveInvite(h);
    const busy = responseFor(req, 486, 'uas-tag');
    txn.respond(busy);
    h.clock.advance(100);
    h.layer.receive(request({ method: 'INVITE', branch: 'z9hG4bK-ist-1' }), origin());
    expect(h.transport.times(status(486))).toEqual([0, 100]);
    h.clock.advance(100);
    const ack = request({ method: 'ACK', branch: 'z9hG4bK-ist-1', toTag: 'uas-tag' });
    h.layer.receive(ack, origin());
    expect(txn.state).toBe(InviteServerTransactionState.Confirmed);
    h.layer.receive(request({ method: 'ACK', branch: 'z9hG4bK-ist-1', toTag: 'uas-tag' }), origin());
    expect(h.user.acks).toHaveLength(0);
    h.clock.advance(10_000);
    expect(h.transport.times(status(486))).toEqual([0, 100]); // Timer G stopped by the ACK
    expect(txn.state).toBe(InviteServerTransactionState.Terminated);
    expect(h.layer.activeTransactions[TransactionKind.InviteServer]).toBe(0);
  });

  it('Timer I fires exactly T4 after the ACK on UDP', () => {
    const h = harness();
    const { req, txn } = receiveInvite(h);
    txn.respond(responseFor(req, 404));
    h.clock.advance(1000);
    h.layer.receive(request({ method: 'ACK', branch: 'z9hG4bK-ist-1', toTag: 'to1' }), origin());
    h.clock.advance(4999);
    expect(txn.state).toBe(InviteServerTransactionState.Confirmed);
    h.clock.advance(1);
    expect(txn.state).toBe(InviteServerTransactionState.Terminated);
  });

  it('over TCP: no Timer G; Timer H still runs; the ACK terminates at once (Timer I is zero)', () => {
    const h = harness();
    const { req, txn } = receiveInvite(h, 'tcp', 'z9hG4bK-ist-tcp');
    txn.respond(responseFor(req, 603));
    h.clock.advance(10_000);
    expect(h.transport.times(status(603))).toEqual([0]);
    h.layer.receive(request({ method: 'ACK', branch: 'z9hG4bK-ist-tcp', transport: 'tcp' }), origin('tcp'));
    expect(txn.state).toBe(InviteServerTransactionState.Terminated);
    expect(h.clock.pendingTimers).toBe(0);

    const other = receiveInvite(h, 'tcp', 'z9hG4bK-ist-tcp-2');
    other.txn.respond(responseFor(other.req, 480));
    h.clock.advance(32_000);
    expect(h.user.timeouts).toEqual([other.txn]);
  });

  it('a 2xx: Accepted; INVITE retransmissions absorbed; TU 2xx retransmissions sent; ACK to the TU; Timer L ends it', () => {
    const h = harness();
    const { req, txn } = receiveInvite(h);
    const ok = responseFor(req, 200, 'uas');
    expect(txn.respond(ok)).toBe(true);
    expect(txn.state).toBe(InviteServerTransactionState.Accepted);
    h.clock.advance(300);
    h.layer.receive(request({ method: 'INVITE', branch: 'z9hG4bK-ist-1' }), origin());
    expect(h.transport.times(status(200))).toEqual([0]);
    expect(h.user.requests).toHaveLength(1);
    h.clock.advance(200);
    expect(txn.respond(ok)).toBe(true); // the TU's own 2xx retransmission (§13.3.1.4)
    expect(txn.respond(responseFor(req, 486))).toBe(false);
    expect(h.transport.times(status(200))).toEqual([0, 500]);
    // An ACK that reuses the INVITE's branch matches the transaction in Accepted: it goes to the TU.
    h.layer.receive(request({ method: 'ACK', branch: 'z9hG4bK-ist-1', toTag: 'uas' }), origin());
    // The usual 2xx ACK has a new branch and matches nothing: to the TU as well.
    h.layer.receive(request({ method: 'ACK', branch: 'z9hG4bK-new', toTag: 'uas' }), origin());
    expect(h.user.acks).toHaveLength(2);
    h.clock.advance(32_000 - 500 - 1);
    expect(txn.state).toBe(InviteServerTransactionState.Accepted);
    h.clock.advance(1);
    expect(txn.state).toBe(InviteServerTransactionState.Terminated);
    expect(txn.respond(ok)).toBe(false);
    // After Timer L a retransmitted INVITE is new to the layer (RFC 6026 sizes L to make that unlikely).
    h.layer.receive(request({ method: 'INVITE', branch: 'z9hG4bK-ist-1' }), origin());
    expect(h.user.requests).toHaveLength(2);
  });

  it('reports a transport error in Proceeding and terminates; in Accepted it reports and stays', () => {
    const h = harness();
    const first = receiveInvite(h, 'tcp', 'z9hG4bK-ist-err-1');
    h.transport.failWith = new Error('EPIPE');
    first.txn.respond(responseFor(first.req, 180));
    expect(first.txn.state).toBe(InviteServerTransactionState.Terminated);
    expect(h.user.transportErrors.map((e) => e.error.message)).toEqual(['EPIPE']);

    h.transport.failWith = undefined;
    const second = receiveInvite(h, 'tcp', 'z9hG4bK-ist-err-2');
    h.transport.failWith = new Error('ECONNRESET');
    second.txn.respond(responseFor(second.req, 200));
    expect(second.txn.state).toBe(InviteServerTransactionState.Accepted);
    expect(h.user.transportErrors).toHaveLength(2);
  });

  it('calls onTerminated once and refuses responses out of range', () => {
    const h = harness();
    const { req, txn } = receiveInvite(h, 'tcp', 'z9hG4bK-ist-term');
    let terminated = 0;
    txn.onTerminated = () => terminated++;
    expect(txn.respond(responseFor(req, 700))).toBe(false);
    txn.respond(responseFor(req, 486));
    h.layer.receive(request({ method: 'ACK', branch: 'z9hG4bK-ist-term', transport: 'tcp' }), origin('tcp'));
    txn.dispose();
    expect(terminated).toBe(1);
  });
});
