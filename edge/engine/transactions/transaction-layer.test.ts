import { describe, expect, it } from 'vitest';
import { SipResponse } from '../messages/sip-message.js';
import { InviteServerTransactionState, type InviteServerTransaction } from './invite-server-transaction.js';
import { harness, origin, udpTarget } from './testing/harness.js';
import { request, responseFor } from './testing/sip-fixtures.js';
import { TransactionKind } from './transaction.js';

describe('TransactionLayer request matching (§17.2.3)', () => {
  it('same branch from another sent-by is a different transaction', () => {
    const h = harness();
    h.layer.receive(request({ method: 'OPTIONS', branch: 'z9hG4bK-same', sentBy: '127.0.0.1:5070', callId: 'a' }), origin());
    h.layer.receive(request({ method: 'OPTIONS', branch: 'z9hG4bK-same', sentBy: '127.0.0.3:5070', callId: 'b' }), origin());
    expect(h.user.requests).toHaveLength(2);
    expect(h.layer.activeTransactions[TransactionKind.NonInviteServer]).toBe(2);
  });

  describe('merged requests (RFC 3261 §8.2.2.2)', () => {
    const fork = (branch: string, transport = 'udp') =>
      request({ method: 'INVITE', branch, transport, callId: 'forked-1', fromTag: 'carrier1', cseq: 4294967295, extraVia: 'SIP/2.0/UDP 127.0.0.9:5060;branch=z9hG4bK-origin' });

    it('answers 482 to the second branch of one forked INVITE, without the TU seeing it, over UDP and TCP', () => {
      const h = harness();
      h.layer.receive(fork('z9hG4bK-fork-udp'), origin('udp'));
      h.layer.receive(fork('z9hG4bK-fork-tcp', 'tcp'), origin('tcp'));
      expect(h.user.requests).toHaveLength(1);
      expect(h.transport.responses(482)).toHaveLength(1);
      expect(h.transport.responses(482)[0]!.headers.get('Via')).toContain('z9hG4bK-fork-tcp');
      expect(h.layer.stats.mergedRequests).toBe(1);
      // The copy's retransmission is absorbed by its own transaction and answered 482 again, not passed on.
      h.layer.receive(fork('z9hG4bK-fork-tcp', 'tcp'), origin('tcp'));
      expect(h.user.requests).toHaveLength(1);
      expect(h.layer.stats.mergedRequests).toBe(1);
    });

    it('still treats the copy as merged after the first was answered 2xx (Accepted, Timer L), and not once the first has ended', () => {
      const h = harness();
      h.layer.receive(fork('z9hG4bK-first'), origin());
      const first = h.user.requests[0]!;
      first.transaction.respond(responseFor(first.request, 200));
      h.layer.receive(fork('z9hG4bK-late'), origin());
      expect(h.transport.responses(482)).toHaveLength(1);
      h.clock.advance(h.layer.timers.timerL + 1);
      h.layer.receive(fork('z9hG4bK-much-later'), origin());
      expect(h.user.requests).toHaveLength(2);
    });

    it('passes on requests that differ in From tag, Call-ID, CSeq or method, requests in a dialog, and spirals (more Vias)', () => {
      const h = harness();
      h.layer.receive(fork('z9hG4bK-base'), origin());
      h.layer.receive(request({ method: 'INVITE', branch: 'z9hG4bK-o1', callId: 'forked-1', fromTag: 'other', cseq: 4294967295 }), origin());
      h.layer.receive(request({ method: 'INVITE', branch: 'z9hG4bK-o2', callId: 'forked-2', fromTag: 'carrier1', cseq: 4294967295 }), origin());
      h.layer.receive(request({ method: 'INVITE', branch: 'z9hG4bK-o3', callId: 'forked-1', fromTag: 'carrier1', cseq: 1 }), origin());
      h.layer.receive(request({ method: 'OPTIONS', branch: 'z9hG4bK-o4', callId: 'forked-1', fromTag: 'carrier1', cseq: 4294967295 }), origin());
      h.layer.receive(request({ method: 'INVITE', branch: 'z9hG4bK-o5', callId: 'forked-1', fromTag: 'carrier1', cseq: 4294967295, toTag: 'dlg' }), origin());
      const spiral = fork('z9hG4bK-spiral');
      spiral.headers.append('Via', 'SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-ours');
      h.layer.receive(spiral, origin());
      expect(h.user.requests).toHaveLength(7);
      expect(h.transport.responses(482)).toHaveLength(0);
    });
  });

  it('RFC 2543 peers (no magic cookie): retransmission, ACK and CANCEL match on the old fields', () => {
    const h = harness();
    const invite = request({ method: 'INVITE', branch: '1234', cseq: 7 });
    h.layer.receive(invite, origin());
    h.layer.receive(request({ method: 'INVITE', branch: '1234', cseq: 7 }), origin());
    expect(h.user.requests).toHaveLength(1);
    const txn = h.user.requests[0]!.transaction as InviteServerTransaction;

    // CANCEL: same fields, the INVITE's (empty) To tag.
    h.layer.receive(request({ method: 'CANCEL', branch: '1234', cseq: 7 }), origin());
    expect(h.user.cancels.map((c) => c.invite)).toEqual([txn]);
    txn.respond(responseFor(invite, 487, 'legacy-tag'));
    // ACK with another To tag than the response's does not match ...
    h.layer.receive(request({ method: 'ACK', branch: '1234', cseq: 7, toTag: 'other' }), origin());
    expect(txn.state).toBe(InviteServerTransactionState.Completed);
    // ... the right one does.
    h.layer.receive(request({ method: 'ACK', branch: '1234', cseq: 7, toTag: 'legacy-tag' }), origin());
    expect(txn.state).toBe(InviteServerTransactionState.Confirmed);
    // A new CSeq is a new request.
    h.layer.receive(request({ method: 'INVITE', branch: '1234', cseq: 8 }), origin());
    expect(h.user.requests).toHaveLength(2);
  });

  it('stamps received and rport on the top Via (§18.2.1, RFC 3581) and routes responses there', () => {
    const h = harness();
    const req = request({ method: 'OPTIONS', branch: 'z9hG4bK-nat', sentBy: '10.0.0.9:5062', rport: true });
    h.layer.receive(req, origin('udp', '127.0.0.5', 40_001));
    expect(req.headers.get('Via')).toBe('SIP/2.0/UDP 10.0.0.9:5062;branch=z9hG4bK-nat;rport=40001;received=127.0.0.5');
    const txn = h.user.requests[0]!.transaction;
    txn.respond(responseFor(req, 200));
    expect(h.transport.sent[0]!.target).toEqual({ transport: 'udp', address: '127.0.0.5', port: 40_001 });

    const plain = request({ method: 'OPTIONS', branch: 'z9hG4bK-plain', sentBy: '127.0.0.5:5099' });
    h.layer.receive(plain, origin('udp', '127.0.0.5', 40_002));
    expect(plain.headers.get('Via')).toBe('SIP/2.0/UDP 127.0.0.5:5099;branch=z9hG4bK-plain');
    h.user.requests[1]!.transaction.respond(responseFor(plain, 200));
    expect(h.transport.sent[1]!.target).toEqual({ transport: 'udp', address: '127.0.0.5', port: 5099 });
  });

  it('answers a bad CSeq with 400 and drops a request without a Via', () => {
    const h = harness();
    const bad = request({ method: 'OPTIONS', branch: 'z9hG4bK-bad' });
    bad.headers.set('CSeq', '1 INVITE');
    h.layer.receive(bad, origin());
    expect(h.transport.responses(400)).toHaveLength(1);
    const noVia = request({ method: 'OPTIONS', branch: 'z9hG4bK-novia' });
    noVia.headers.remove('Via');
    h.layer.receive(noVia, origin());
    expect(h.transport.sent).toHaveLength(1);
    expect(h.user.requests).toHaveLength(0);
    expect(h.layer.stats.malformed).toBe(2);
  });

  it('never throws out of receive(), even when the TU does', () => {
    const h = harness();
    h.user.onRequest = () => {
      throw new Error('TU bug');
    };
    expect(() => h.layer.receive(request({ method: 'OPTIONS', branch: 'z9hG4bK-tu' }), origin())).not.toThrow();
  });

  it('close() terminates everything and leaves no timers', () => {
    const h = harness();
    h.layer.receive(request({ method: 'INVITE', branch: 'z9hG4bK-c1' }), origin());
    h.layer.sendRequest(request({ method: 'OPTIONS', branch: 'z9hG4bK-c2' }), udpTarget, h.listener);
    h.layer.close();
    expect(Object.values(h.layer.activeTransactions)).toEqual([0, 0, 0, 0]);
    expect(h.clock.pendingTimers).toBe(0);
  });
});

describe('CANCEL (§9.2)', () => {
  function pendingInvite(h: ReturnType<typeof harness>, branch = 'z9hG4bK-inv') {
    const invite = request({ method: 'INVITE', branch });
    h.layer.receive(invite, origin());
    return { invite, txn: h.user.requests.at(-1)!.transaction as InviteServerTransaction };
  }

  it('a CANCEL for a pending INVITE gets 200 from the layer and is handed to the TU, which sends 487', () => {
    const h = harness();
    const { invite, txn } = pendingInvite(h);
    txn.respond(responseFor(invite, 180, 'uas-tag'));
    const cancel = request({ method: 'CANCEL', branch: 'z9hG4bK-inv' });
    expect(h.layer.findInviteForCancel(cancel)).toBe(txn);
    h.layer.receive(cancel, origin());
    const [ok] = h.transport.responses(200);
    expect(ok!.headers.get('CSeq')).toBe('1 CANCEL');
    expect(ok!.headers.get('To')).toContain('tag=uas-tag');
    expect(h.user.cancels).toHaveLength(1);
    expect(h.user.requests).toHaveLength(1); // the CANCEL is not a new request for the TU
    txn.respond(responseFor(invite, 487, 'uas-tag'));
    expect(txn.state).toBe(InviteServerTransactionState.Completed);
    // A retransmitted CANCEL gets the 200 again from its own transaction.
    h.layer.receive(request({ method: 'CANCEL', branch: 'z9hG4bK-inv' }), origin());
    expect(h.transport.responses(200)).toHaveLength(2);
    expect(h.user.cancels).toHaveLength(1);
  });

  it('without an onCancel handler the layer sends the 487 itself, with the same To tag as the 200', () => {
    const h = harness();
    h.user.onCancel = undefined;
    const { txn } = pendingInvite(h);
    h.layer.receive(request({ method: 'CANCEL', branch: 'z9hG4bK-inv' }), origin());
    const [ok] = h.transport.responses(200);
    const [terminated] = h.transport.responses(487);
    expect(terminated).toBeDefined();
    expect(terminated!.headers.get('To')).toBe(ok!.headers.get('To'));
    expect(terminated!.headers.get('To')).toMatch(/;tag=/);
    expect(txn.state).toBe(InviteServerTransactionState.Completed);
  });

  it('the CANCEL/200 race: a CANCEL after the 200 gets 200 and does not touch the INVITE', () => {
    const h = harness();
    const { invite, txn } = pendingInvite(h);
    txn.respond(responseFor(invite, 200, 'answered'));
    h.layer.receive(request({ method: 'CANCEL', branch: 'z9hG4bK-inv' }), origin());
    const cancelOk = h.transport.responses(200).find((r) => r.headers.get('CSeq') === '1 CANCEL');
    expect(cancelOk).toBeDefined();
    expect(cancelOk!.headers.get('To')).toContain('tag=answered');
    expect(h.transport.responses(487)).toHaveLength(0);
    expect(h.user.cancels).toHaveLength(0);
    expect(txn.state).toBe(InviteServerTransactionState.Accepted);
  });

  it('a CANCEL matching no INVITE goes to the TU as a request (it answers 481)', () => {
    const h = harness();
    h.layer.receive(request({ method: 'CANCEL', branch: 'z9hG4bK-nothing' }), origin());
    expect(h.user.requests.map((r) => r.request.method)).toEqual(['CANCEL']);
    h.user.requests[0]!.transaction.respond(new SipResponse(481, 'Call/Transaction Does Not Exist'));
    expect(h.transport.responses(481)).toHaveLength(1);
  });
});
