import { describe, expect, it } from 'vitest';
import { AppSipTextError, parseAppSipText } from './app-sip-text.js';

describe("apps' partial SIP text", () => {
  it('reads a bare response with headers and body, dropping Content-Length', () => {
    const message = parseAppSipText('SIP/2.0 183 Session Progress\r\nRequire: 100rel\r\nContent-Length: 999\r\n\r\nv=0\r\n');
    expect(message.kind).toBe('response');
    if (message.kind !== 'response') return;
    expect(message.status).toBe(183);
    expect(message.reason).toBe('Session Progress');
    expect(message.headers.get('Require')).toBe('100rel');
    expect(message.headers.has('Content-Length')).toBe(false);
    expect(message.body.toString()).toBe('v=0\r\n');
  });

  it('reads a request with folded headers and no body', () => {
    const message = parseAppSipText('info sip:placeholder SIP/2.0\r\nX-A: one\r\n two\r\n\r\n');
    expect(message.kind).toBe('request');
    if (message.kind !== 'request') return;
    expect(message.method).toBe('INFO');
    expect(message.headers.get('X-A')).toBe('one two');
    expect(message.body.length).toBe(0);
  });

  it.each(['', 'HELLO', 'SIP/2.0 99 Low', 'INVITE sip:a SIP/3.0', 'BYE sip:a SIP/2.0\r\nno colon here\r\n\r\n', 'BYE sip:a SIP/2.0\r\nBad Name: x\r\n\r\n'])(
    'rejects %j', (text) => {
      expect(() => parseAppSipText(text)).toThrow(AppSipTextError);
    });
});
