import { describe, expect, it } from 'vitest';
import {
  ControlMessageError, formatCdr, formatNok, formatOk, formatSentOk, formatSipToApp, parseAppMessage, splitPayload,
  type SipMessageMeta,
} from './control-message.js';

const meta: SipMessageMeta = {
  source: 'network', protocol: 'udp', address: '127.0.0.1', port: 5080, time: '10:00:00.000000',
  transactionId: 'txn-1', dialogId: 'abc@host;from-tag=1234',
};

describe('app messages', () => {
  it('parses authenticate with tags', () => {
    expect(parseAppMessage('m1|authenticate|cymru|a, b,')).toEqual({ type: 'authenticate', msgId: 'm1', secret: 'cymru', tags: ['a', 'b'] });
  });

  it('parses route and lower-cases the verb', () => {
    expect(parseAppMessage('m2|route|INVITE')).toEqual({ type: 'route', msgId: 'm2', verb: 'invite' });
    expect(parseAppMessage('m3|route|cdr:stop')).toEqual({ type: 'route', msgId: 'm3', verb: 'cdr:stop' });
  });

  it('parses a sip command with ids, proxy target and the SIP text', () => {
    const sip = 'INVITE sip:bob@127.0.0.1 SIP/2.0\r\nContent-Length: 0\r\n\r\n';
    expect(parseAppMessage(`m4|sip|txn|dlg|sip:127.0.0.1:5090\r\n${sip}`)).toEqual({
      type: 'sip', msgId: 'm4', stackTxnId: 'txn', stackDialogId: 'dlg', proxy: 'sip:127.0.0.1:5090', sip,
    });
    expect(parseAppMessage(`m5|sip||\r\n${sip}`)).toMatchObject({ stackTxnId: '', stackDialogId: '', proxy: '' });
  });

  it('parses a proxy command', () => {
    const parsed = parseAppMessage('m6|proxy|txn|remainInDialog||followRedirects|simultaneous|2s|30s|sip:a@h|sip:b@h\r\nINVITE sip:a@h SIP/2.0\r\n\r\n');
    expect(parsed).toMatchObject({
      type: 'proxy',
      command: { stackTxnId: 'txn', remainInDialog: true, fullResponse: false, followRedirects: true, simultaneous: true,
        provisionalTimeout: '2s', finalTimeout: '30s', destinations: ['sip:a@h', 'sip:b@h'] },
    });
  });

  it.each([
    ['', /no id/],
    ['m7', /no id or type/],
    ['m8|bogus', /unknown message type/],
    ['m9|route|in vite', /invalid verb/],
    ['m10|sip|a|b', /no SIP content/],
    ['m11|proxy|txn', /too few tokens/],
  ])('rejects %j', (payload, reason) => {
    expect(() => parseAppMessage(payload)).toThrow(ControlMessageError);
    expect(() => parseAppMessage(payload)).toThrow(reason);
  });

  it('parses the dialogs query (VPOP extension) and bounds its size', () => {
    expect(parseAppMessage('q1|dialogs|a-1,b-2')).toEqual({ type: 'dialogs', msgId: 'q1', ids: ['a-1', 'b-2'] });
    expect(parseAppMessage('q2|dialogs|')).toEqual({ type: 'dialogs', msgId: 'q2', ids: [] });
    expect(() => parseAppMessage(`q3|dialogs|${Array.from({ length: 20_001 }, (_, i) => i).join(',')}`)).toThrow(/more than/);
  });

  it('splits the leader at the first CR', () => {
    expect(splitPayload('a|b\r\nX|Y\r\n')).toEqual({ tokens: ['a', 'b'], sip: 'X|Y\r\n' });
  });
});

describe('engine messages, at the token positions drachtio-srf reads', () => {
  it('formats a SIP delivery', () => {
    const sip = 'BYE sip:a@h SIP/2.0\r\n\r\n';
    const text = formatSipToApp('id1', meta, sip, { address: '127.0.0.1', port: 5060 });
    const { tokens, sip: body } = splitPayload(text);
    expect(body).toBe(sip);
    // drachtio-agent _onMsg 'sip': token[2] source, [4] protocol, [5] address, [6] port, [7] time, [8] txn, [9] dialog, [10..11] receivedOn
    expect(tokens.slice(0, 12)).toEqual(['id1', 'sip', 'network', String(sip.length), 'udp', '127.0.0.1', '5080',
      '10:00:00.000000', 'txn-1', 'abc@host;from-tag=1234', '127.0.0.1', '5060']);
  });

  it('formats the answer to a sent message', () => {
    const { tokens } = splitPayload(formatSentOk('id2', 'rid', { ...meta, source: 'application' }, 'X'));
    // drachtio-agent _onMsg 'response': token[2] rid, [3] OK, [4] source, [6] protocol, [7] address, [8] port, [9] time, [10] txn, [11] dialog, [12] continue
    expect(tokens[2]).toBe('rid');
    expect(tokens[3]).toBe('OK');
    expect(tokens[4]).toBe('application');
    expect(tokens[6]).toBe('udp');
    expect(tokens[10]).toBe('txn-1');
    expect(tokens[11]).toBe('abc@host;from-tag=1234');
    expect(tokens[12]).toBe('');
    expect(splitPayload(formatSentOk('id3', 'rid', meta, 'X', true)).tokens[12]).toBe('continue');
  });

  it('formats OK, NOK (without separators in the reason) and CDRs', () => {
    expect(formatOk('i', 'r', 'udp/127.0.0.1:5060', 'v0.9.2')).toBe('i|response|r|OK|udp/127.0.0.1:5060|v0.9.2');
    expect(formatNok('i', 'r', 'bad|thing\r\n')).toBe('i|response|r|NOK|bad thing  ');
    expect(formatCdr('i', 'attempt', 'network', 't', 'SIP')).toBe('i|cdr:attempt|network|t\r\nSIP');
    expect(formatCdr('i', 'stop', 'application', 't', 'SIP', 'normal-release')).toBe('i|cdr:stop|application|t|normal-release\r\nSIP');
  });
});
