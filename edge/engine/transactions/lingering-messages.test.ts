// Transactions lingering after their final response (Completed, Accepted, Confirmed: up
// to 32 s over UDP) keep no parsed message: the request becomes a bare stand-in and what
// may be resent is the transport's compact form (wire bytes only), while matching,
// retransmission and the CANCEL/ACK To tags still work.
import { describe, expect, it } from 'vitest';
import { SipRequest, SipResponse } from '../messages/sip-message.js';
import type { InviteClientTransaction } from './invite-client-transaction.js';
import type { InviteServerTransaction } from './invite-server-transaction.js';
import type { NonInviteServerTransaction } from './non-invite-server-transaction.js';
import { harness, origin, udpTarget } from './testing/harness.js';
import { request, responseFor } from './testing/sip-fixtures.js';

/** A harness whose transport compacts like the engine's: a stand-in remembered as the original. */
function compactingHarness() {
  const h = harness();
  const compacted = new Map<SipRequest | SipResponse, SipRequest | SipResponse>();
  Object.assign(h.transport, {
    compact<M extends SipRequest | SipResponse>(message: M): M {
      const stand = message.kind === 'request' ? new SipRequest(message.method, '') : new SipResponse(message.status, '');
      compacted.set(stand, message);
      return stand as M;
    },
  });
  return { h, compacted };
}

const released = (txn: { request: SipRequest }): boolean => txn.request.uri === '' && [...txn.request.headers].length === 0;

describe('lingering transactions release their parsed messages', () => {
  it('INVITE server, 2xx: Accepted keeps the To tags only; a late CANCEL gets 200 with the 2xx To tag', () => {
    const { h } = compactingHarness();
    const invite = request({ method: 'INVITE', branch: 'z9hG4bK-linger-1' });
    h.layer.receive(invite, origin());
    const txn = h.user.requests.at(-1)!.transaction as InviteServerTransaction;
    txn.respond(responseFor(invite, 200, 'answered1'));
    expect(released(txn)).toBe(true);
    expect(txn.lastResponse).toBeUndefined();
    expect(txn.responseToTag).toBe('answered1');
    h.layer.receive(request({ method: 'CANCEL', branch: 'z9hG4bK-linger-1' }), origin());
    const cancelOk = h.transport.responses(200).find((r) => r.headers.get('CSeq')?.endsWith('CANCEL'));
    expect(cancelOk?.headers.get('To')).toContain('tag=answered1');
  });

  it('INVITE server, 486 over UDP: Completed resends the compact form on Timer G and on a retransmitted INVITE', () => {
    const { h, compacted } = compactingHarness();
    const invite = request({ method: 'INVITE', branch: 'z9hG4bK-linger-2' });
    h.layer.receive(invite, origin());
    const txn = h.user.requests.at(-1)!.transaction as InviteServerTransaction;
    const busy = responseFor(invite, 486, 'busy1');
    txn.respond(busy);
    expect(released(txn)).toBe(true);
    expect(compacted.get(txn.lastResponse!)).toBe(busy);
    expect(txn.responseToTag).toBe('busy1');
    h.layer.receive(request({ method: 'INVITE', branch: 'z9hG4bK-linger-2' }), origin());
    h.clock.advance(500);
    const resent = h.transport.sent.slice(-2).map((entry) => compacted.get(entry.message));
    expect(resent).toEqual([busy, busy]);
    // The ACK still matches (Completed → Confirmed).
    h.layer.receive(request({ method: 'ACK', branch: 'z9hG4bK-linger-2', toTag: 'busy1' }), origin());
    expect(txn.state).toBe('confirmed');
  });

  it('non-INVITE server over UDP: Completed resends the compact 200 to a retransmitted request', () => {
    const { h, compacted } = compactingHarness();
    const bye = request({ method: 'BYE', branch: 'z9hG4bK-linger-3', toTag: 't1' });
    h.layer.receive(bye, origin());
    const txn = h.user.requests.at(-1)!.transaction as NonInviteServerTransaction;
    const ok = responseFor(bye, 200);
    txn.respond(ok);
    expect(released(txn)).toBe(true);
    h.layer.receive(request({ method: 'BYE', branch: 'z9hG4bK-linger-3', toTag: 't1' }), origin());
    expect(compacted.get(h.transport.sent.at(-1)!.message)).toBe(ok);
  });

  it('INVITE client: Accepted releases the INVITE; Completed keeps only the compact ACK and resends it', () => {
    const { h, compacted } = compactingHarness();
    const accepted = h.layer.sendRequest(request({ method: 'INVITE', branch: 'z9hG4bK-linger-4' }), udpTarget, h.listener) as InviteClientTransaction;
    h.layer.receive(responseFor(accepted.request, 200), origin());
    expect(released(accepted)).toBe(true);

    const rejected = h.layer.sendRequest(request({ method: 'INVITE', branch: 'z9hG4bK-linger-5' }), udpTarget, h.listener) as InviteClientTransaction;
    const busy = responseFor(rejected.request, 486);
    h.layer.receive(busy, origin());
    expect(released(rejected)).toBe(true);
    const ack = compacted.get(rejected.ack!) as SipRequest;
    expect(ack.method).toBe('ACK');
    h.layer.receive(responseFor(request({ method: 'INVITE', branch: 'z9hG4bK-linger-5' }), 486), origin());
    expect(compacted.get(h.transport.sent.at(-1)!.message)).toBe(ack);
  });
});
