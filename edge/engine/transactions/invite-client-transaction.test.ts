import { describe, expect, it } from 'vitest';
import { InviteClientTransactionState, type InviteClientTransaction } from './invite-client-transaction.js';
import { harness, origin, tcpTarget, udpTarget } from './testing/harness.js';
import { request, responseFor } from './testing/sip-fixtures.js';
import { TransactionKind } from './transaction.js';

const isInvite = (m: { kind: string; method?: string }): boolean => m.kind === 'request' && m.method === 'INVITE';

function invite(branch = 'z9hG4bK-ict-1', transport = 'udp') {
  return request({ method: 'INVITE', branch, transport, routes: ['<sip:proxy.example;lr>'] });
}

describe('INVITE client transaction (RFC 3261 §17.1.1, RFC 6026)', () => {
  it('Calling over UDP: Timer A retransmits at 500, 1000, 2000, 4000, ... ms and Timer B times out at 64*T1', () => {
    const { clock, transport, layer, listener } = harness();
    const txn = layer.sendRequest(invite(), udpTarget, listener) as InviteClientTransaction;
    expect(txn.state).toBe(InviteClientTransactionState.Calling);
    clock.advance(31_999);
    // Intervals double with no T2 cap: 500, 1000, 2000, 4000, 8000, 16000.
    expect(transport.times(isInvite)).toEqual([0, 500, 1500, 3500, 7500, 15_500, 31_500]);
    expect(listener.timeouts).toEqual([]);
    clock.advance(1);
    expect(listener.timeouts).toEqual([32_000]);
    expect(txn.state).toBe(InviteClientTransactionState.Terminated);
    expect(layer.activeTransactions[TransactionKind.InviteClient]).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('Calling over TCP: no retransmissions, Timer B still fires at 32 s', () => {
    const { clock, transport, layer, listener } = harness();
    layer.sendRequest(invite('z9hG4bK-ict-tcp', 'tcp'), tcpTarget, listener);
    clock.advance(32_000);
    expect(transport.times(isInvite)).toEqual([0]);
    expect(listener.timeouts).toEqual([32_000]);
  });

  it('a provisional moves to Proceeding, stops Timers A and B, and reaches the TU', () => {
    const { clock, transport, layer, listener } = harness();
    const req = invite();
    const txn = layer.sendRequest(req, udpTarget, listener) as InviteClientTransaction;
    clock.advance(600);
    layer.receive(responseFor(req, 100), origin());
    layer.receive(responseFor(req, 180), origin());
    expect(txn.state).toBe(InviteClientTransactionState.Proceeding);
    clock.advance(60_000);
    expect(transport.times(isInvite)).toEqual([0, 500]);
    expect(listener.timeouts).toEqual([]);
    expect(listener.responses.map((r) => r.response.status)).toEqual([100, 180]);
  });

  it('a non-2xx final: Completed, ACK built per §17.1.1.3, retransmissions re-ACKed, Timer D = 32 s on UDP', () => {
    const { clock, transport, layer, listener } = harness();
    const req = invite();
    req.headers.append('Via', 'SIP/2.0/UDP upstream.example;branch=z9hG4bK-up');
    const txn = layer.sendRequest(req, udpTarget, listener) as InviteClientTransaction;
    layer.receive(responseFor(req, 180), origin());
    const busy = responseFor(req, 486, 'callee-tag');
    clock.advance(1000);
    layer.receive(busy, origin());
    expect(txn.state).toBe(InviteClientTransactionState.Completed);
    const [ack] = transport.requests('ACK');
    expect(ack).toBeDefined();
    expect(ack!.uri).toBe(req.uri);
    expect(ack!.headers.getAll('Via')).toEqual([req.headers.get('Via')]);
    expect(ack!.headers.get('Call-ID')).toBe(req.headers.get('Call-ID'));
    expect(ack!.headers.get('From')).toBe(req.headers.get('From'));
    expect(ack!.headers.get('To')).toBe(busy.headers.get('To'));
    expect(ack!.headers.get('To')).toContain('tag=callee-tag');
    expect(ack!.headers.get('CSeq')).toBe('1 ACK');
    expect(ack!.headers.getAll('Route')).toEqual(['<sip:proxy.example;lr>']);
    expect(transport.sent.at(-1)!.target).toEqual(udpTarget);

    clock.advance(2000);
    layer.receive(responseFor(req, 486, 'callee-tag'), origin());
    expect(transport.requests('ACK')).toHaveLength(2);
    expect(listener.responses.map((r) => r.response.status)).toEqual([180, 486]);

    clock.advance(32_000 - 2000 - 1);
    expect(txn.state).toBe(InviteClientTransactionState.Completed);
    clock.advance(1);
    expect(txn.state).toBe(InviteClientTransactionState.Terminated);
    expect(clock.pendingTimers).toBe(0);
  });

  it('a non-2xx final over TCP: ACK sent and Timer D is zero (terminates at once)', () => {
    const { clock, transport, layer, listener } = harness();
    const req = invite('z9hG4bK-ict-tcp-486', 'tcp');
    const txn = layer.sendRequest(req, tcpTarget, listener) as InviteClientTransaction;
    layer.receive(responseFor(req, 503), origin('tcp'));
    expect(transport.requests('ACK')).toHaveLength(1);
    expect(txn.state).toBe(InviteClientTransactionState.Terminated);
    expect(listener.responses.map((r) => r.response.status)).toEqual([503]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('a 2xx: Accepted, no ACK from the transaction, later 2xx (forks) forwarded until Timer M, then stray', () => {
    const { clock, transport, layer, listener, user } = harness();
    const req = invite();
    const txn = layer.sendRequest(req, udpTarget, listener) as InviteClientTransaction;
    layer.receive(responseFor(req, 200, 'fork-a'), origin());
    expect(txn.state).toBe(InviteClientTransactionState.Accepted);
    expect(transport.requests('ACK')).toHaveLength(0);
    clock.advance(1000);
    layer.receive(responseFor(req, 200, 'fork-b'), origin());
    layer.receive(responseFor(req, 200, 'fork-a'), origin());
    layer.receive(responseFor(req, 180, 'fork-c'), origin());
    expect(listener.responses.map((r) => r.response.headers.get('To'))).toEqual([
      expect.stringContaining('tag=fork-a'),
      expect.stringContaining('tag=fork-b'),
      expect.stringContaining('tag=fork-a'),
    ]);
    clock.advance(31_000);
    expect(txn.state).toBe(InviteClientTransactionState.Terminated);
    // A 2xx retransmitted after Timer M matches nothing: it goes to the TU as a stray.
    layer.receive(responseFor(req, 200, 'fork-a'), origin());
    expect(user.strays).toHaveLength(1);
    expect(listener.responses).toHaveLength(3);
  });

  it('a transport error while Calling is reported to the TU and terminates', () => {
    const { clock, transport, layer, listener } = harness();
    transport.failWith = new Error('ECONNREFUSED');
    const txn = layer.sendRequest(invite('z9hG4bK-ict-err', 'tcp'), tcpTarget, listener);
    expect(listener.errors.map((e) => e.message)).toEqual(['ECONNREFUSED']);
    expect(txn.state).toBe('terminated');
    expect(clock.pendingTimers).toBe(0);
    expect(layer.activeTransactions[TransactionKind.InviteClient]).toBe(0);
  });

  it('an asynchronous transport error (reported to the sink) also terminates', () => {
    const { transport, layer, listener } = harness();
    const txn = layer.sendRequest(invite('z9hG4bK-ict-async', 'tcp'), tcpTarget, listener);
    transport.sent[0]!.errors!.onTransportError(new Error('ECONNRESET'));
    expect(listener.errors.map((e) => e.message)).toEqual(['ECONNRESET']);
    expect(txn.state).toBe('terminated');
  });

  it('Timer C bounds Proceeding: a timeout report after 3 min without a final, then silent cleanup 64*T1 later', () => {
    const { clock, layer, listener } = harness();
    const req = invite();
    const txn = layer.sendRequest(req, udpTarget, listener) as InviteClientTransaction;
    layer.receive(responseFor(req, 100), origin());
    clock.advance(100_000);
    layer.receive(responseFor(req, 180), origin()); // resets Timer C
    clock.advance(180_000);
    expect(listener.timeouts).toEqual([280_000]);
    expect(txn.state).toBe(InviteClientTransactionState.Proceeding);
    clock.advance(32_000);
    expect(txn.state).toBe(InviteClientTransactionState.Terminated);
    expect(listener.timeouts).toHaveLength(1);
  });

  it('a CANCEL asked for in Calling waits for the first provisional (§9.1) and copies the INVITE fields', () => {
    const { transport, layer, listener } = harness();
    const req = invite();
    const txn = layer.sendRequest(req, udpTarget, listener) as InviteClientTransaction;
    expect(layer.cancel(txn, listener, [['Reason', 'SIP;cause=487']])).toBe('pending');
    expect(layer.cancel(txn, listener)).toBe('pending');
    expect(transport.requests('CANCEL')).toHaveLength(0);
    layer.receive(responseFor(req, 180), origin());
    const [cancel] = transport.requests('CANCEL');
    expect(cancel).toBeDefined();
    expect(cancel!.uri).toBe(req.uri);
    expect(cancel!.headers.get('Via')).toBe(req.headers.get('Via'));
    expect(cancel!.headers.get('To')).toBe(req.headers.get('To'));
    expect(cancel!.headers.get('CSeq')).toBe('1 CANCEL');
    expect(cancel!.headers.get('Reason')).toBe('SIP;cause=487');
    expect(layer.cancel(txn, listener)).toBe('sent');
    expect(transport.requests('CANCEL')).toHaveLength(1);
    expect(layer.activeTransactions[TransactionKind.NonInviteClient]).toBe(1);
    // The CANCEL's 200 matches the CANCEL transaction, not the INVITE (same branch, other method).
    layer.receive(responseFor(cancel!, 200), origin());
    expect(txn.state).toBe(InviteClientTransactionState.Proceeding);
    layer.receive(responseFor(req, 487), origin());
    expect(txn.state).toBe(InviteClientTransactionState.Completed);
    expect(layer.cancel(txn, listener)).toBe('too-late');
  });

  it('a CANCEL in Proceeding goes out at once; one waiting in Calling is dropped if a final arrives first', () => {
    const { transport, layer, listener } = harness();
    const ringing = invite('z9hG4bK-ict-c1');
    const ringingTxn = layer.sendRequest(ringing, udpTarget, listener) as InviteClientTransaction;
    layer.receive(responseFor(ringing, 180), origin());
    expect(layer.cancel(ringingTxn, listener)).toBe('sent');
    expect(transport.requests('CANCEL')).toHaveLength(1);

    const rejected = invite('z9hG4bK-ict-c2');
    const rejectedTxn = layer.sendRequest(rejected, udpTarget, listener) as InviteClientTransaction;
    expect(layer.cancel(rejectedTxn, listener)).toBe('pending');
    layer.receive(responseFor(rejected, 486), origin());
    expect(transport.requests('CANCEL')).toHaveLength(1);
    expect(layer.cancel(rejectedTxn, listener)).toBe('too-late');
  });
});
