import { describe, expect, it } from 'vitest';
import { NonInviteClientTransactionState, type NonInviteClientTransaction } from './non-invite-client-transaction.js';
import { harness, origin, tcpTarget, udpTarget } from './testing/harness.js';
import { request, responseFor } from './testing/sip-fixtures.js';

const isOptions = (m: { kind: string; method?: string }): boolean => m.kind === 'request' && m.method === 'OPTIONS';

describe('non-INVITE client transaction (RFC 3261 §17.1.2)', () => {
  it('Trying over UDP: Timer E doubles up to T2 and Timer F times out at 64*T1', () => {
    const { clock, transport, layer, listener } = harness();
    const txn = layer.sendRequest(request({ method: 'OPTIONS', branch: 'z9hG4bK-nict-1' }), udpTarget, listener);
    clock.advance(32_000);
    // 500, 1000, 2000, 4000, then T2 (4000) each time.
    expect(transport.times(isOptions)).toEqual([0, 500, 1500, 3500, 7500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500]);
    expect(listener.timeouts).toEqual([32_000]);
    expect(txn.state).toBe(NonInviteClientTransactionState.Terminated);
    expect(clock.pendingTimers).toBe(0);
  });

  it('over TCP: no retransmissions; Timer F still applies', () => {
    const { clock, transport, layer, listener } = harness();
    layer.sendRequest(request({ method: 'OPTIONS', branch: 'z9hG4bK-nict-tcp', transport: 'tcp' }), tcpTarget, listener);
    clock.advance(32_000);
    expect(transport.times(isOptions)).toEqual([0]);
    expect(listener.timeouts).toEqual([32_000]);
  });

  it('Proceeding: a provisional reaches the TU and Timer E continues at T2', () => {
    const { clock, transport, layer, listener } = harness();
    const req = request({ method: 'BYE', branch: 'z9hG4bK-nict-2' });
    const txn = layer.sendRequest(req, udpTarget, listener) as NonInviteClientTransaction;
    clock.advance(600);
    layer.receive(responseFor(req, 100), origin());
    expect(txn.state).toBe(NonInviteClientTransactionState.Proceeding);
    clock.advance(9000); // to 9600
    // Retransmissions at 0 and 500 (Trying); the Timer E armed then fires at 1500 in
    // Proceeding and is reset to T2: 5500, 9500.
    expect(transport.times((m) => m.kind === 'request')).toEqual([0, 500, 1500, 5500, 9500]);
    expect(listener.responses.map((r) => r.response.status)).toEqual([100]);
  });

  it('a final response: Completed, TU told once, retransmissions absorbed, Timer K = T4 on UDP', () => {
    const { clock, transport, layer, listener } = harness();
    const req = request({ method: 'REGISTER', branch: 'z9hG4bK-nict-3' });
    const txn = layer.sendRequest(req, udpTarget, listener) as NonInviteClientTransaction;
    clock.advance(700);
    layer.receive(responseFor(req, 200), origin());
    expect(txn.state).toBe(NonInviteClientTransactionState.Completed);
    layer.receive(responseFor(req, 200), origin());
    clock.advance(4999);
    expect(txn.state).toBe(NonInviteClientTransactionState.Completed);
    expect(transport.times(() => true)).toEqual([0, 500]);
    clock.advance(1);
    expect(txn.state).toBe(NonInviteClientTransactionState.Terminated);
    expect(listener.responses).toHaveLength(1);
    expect(listener.timeouts).toEqual([]);
  });

  it('a final response over TCP terminates at once (Timer K is zero)', () => {
    const { clock, layer, listener } = harness();
    const req = request({ method: 'INFO', branch: 'z9hG4bK-nict-4', transport: 'tcp' });
    const txn = layer.sendRequest(req, tcpTarget, listener);
    layer.receive(responseFor(req, 481), origin('tcp'));
    expect(txn.state).toBe(NonInviteClientTransactionState.Terminated);
    expect(listener.responses.map((r) => r.response.status)).toEqual([481]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('a response with the right branch but another CSeq method does not match (§17.1.3)', () => {
    const { layer, listener, user } = harness();
    const req = request({ method: 'OPTIONS', branch: 'z9hG4bK-nict-5' });
    layer.sendRequest(req, udpTarget, listener);
    const wrong = responseFor(req, 200);
    wrong.headers.set('CSeq', '1 INFO');
    layer.receive(wrong, origin());
    expect(listener.responses).toHaveLength(0);
    expect(user.strays).toHaveLength(1);
  });

  it('refuses requests without a cookie branch, a reused branch, and ACK', () => {
    const { layer, listener } = harness();
    expect(() => layer.sendRequest(request({ method: 'OPTIONS', branch: 'old-style' }), udpTarget, listener)).toThrow(/z9hG4bK/);
    layer.sendRequest(request({ method: 'OPTIONS', branch: 'z9hG4bK-dup' }), udpTarget, listener);
    expect(() => layer.sendRequest(request({ method: 'OPTIONS', branch: 'z9hG4bK-dup' }), udpTarget, listener)).toThrow(/in use/);
    expect(() => layer.sendRequest(request({ method: 'ACK', branch: 'z9hG4bK-ack' }), udpTarget, listener)).toThrow(/ACK/);
  });
});
