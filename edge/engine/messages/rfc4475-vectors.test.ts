// RFC 4475 torture messages (test/vectors/rfc4475): the valid ones parse with the
// values the RFC describes, the invalid ones throw SipParseError with the status a
// UAS answers with (or none, when the RFC says to drop), and nothing else is thrown.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseSipMessage } from './parse-message.js';
import { SipParseError } from './sip-parse-error.js';
import { SipRequest, SipResponse, type SipMessage } from './sip-message.js';
import { parseViaList } from './headers/via.js';
import { parseNameAddr, getTag } from './headers/name-addr.js';
import { parseSipUri } from './headers/sip-uri.js';
import { parseCSeq } from './headers/cseq.js';
import { parseContentType, contentTypeParam } from './headers/content-type.js';
import { splitHeaderList } from './headers/header-list.js';

interface Vector {
  name: string;
  file: string;
  section: string;
  title: string;
  validity: 'valid' | 'invalid';
  expect: 'parse' | 'reject';
  status?: number | null;
}

const dir = fileURLToPath(new URL('../../../test/vectors/rfc4475/', import.meta.url));
const index = JSON.parse(readFileSync(`${dir}index.json`, 'utf8')) as Vector[];
const load = (name: string): Buffer => readFileSync(`${dir}${name}.dat`);
const parse = (name: string): SipMessage => parseSipMessage(load(name));

function vias(msg: SipMessage) {
  return msg.headers.getAll('Via').flatMap((value) => parseViaList(value) ?? []);
}

/**
 * Invalid per RFC 4475 but accepted on purpose, with the RFC's words as the reason.
 * Everything else marked invalid in the index must be rejected.
 */
const DELIBERATELY_ACCEPTED: Record<string, string> = {
  baddate:
    'RFC 4475 §3.1.2.12: "It is acceptable to reject this request as malformed (though an element ' +
    "shouldn't do that unless the contents of the Date header field were actually important to its " +
    'processing)." The engine never uses Date, so it does not reject on it.',
};

describe('RFC 4475 torture messages', () => {
  it('has all 49 messages of the RFC in the index', () => {
    expect(index).toHaveLength(49);
  });

  describe.each(index.filter((v) => v.expect === 'reject'))('$section $name ($title)', (vector) => {
    it(`is rejected with ${vector.status ?? 'no response (drop)'}`, () => {
      let error: unknown;
      try {
        parseSipMessage(load(vector.name));
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(SipParseError);
      expect((error as SipParseError).status).toBe(vector.status ?? undefined);
      expect((error as SipParseError).reason.length).toBeGreaterThan(0);
    });
  });

  describe.each(index.filter((v) => v.expect === 'parse'))('$section $name ($title)', (vector) => {
    it('parses', () => {
      if (vector.validity === 'invalid') expect(DELIBERATELY_ACCEPTED[vector.name]).toBeDefined();
      const msg = parse(vector.name);
      expect(vias(msg).length).toBeGreaterThan(0);
      expect(parseCSeq(msg.headers.get('CSeq')!)).toBeDefined();
    });
  });

  it('wsinv: folding, LWS everywhere, compact forms, escaped quotes', () => {
    const msg = parse('wsinv') as SipRequest;
    expect(msg.method).toBe('INVITE');
    expect(parseSipUri(msg.uri)?.params.has('unknownparam')).toBe(true);
    expect(getTag(msg.headers.get('To')!)).toBe('1918181833n');
    const from = parseNameAddr(msg.headers.get('From')!);
    expect(from?.displayName).toBe('J Rosenberg \\"');
    expect(from?.params.get('tag')).toBe('98asjd8');
    expect(msg.headers.get('Max-Forwards')).toBe('0068');
    expect(parseCSeq(msg.headers.get('CSeq')!)).toEqual({ seq: 9, method: 'INVITE' });
    expect(msg.headers.get('Subject')).toBe('');
    expect(msg.headers.get('NewFangledHeader')).toBe('newfangled value continued newfangled value');
    expect(msg.headers.get('UnknownHeaderWithUnusualValue')).toBe(';;,,;;,;');
    const v = vias(msg);
    expect(v.map((via) => [via.transport, via.host, via.branch])).toEqual([
      ['UDP', '192.0.2.2', '390skdjuw'],
      ['TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
      ['UDP', '192.168.255.111', 'z9hG4bK30239'],
    ]);
    const contact = parseNameAddr(msg.headers.get('Contact')!);
    expect(contact?.displayName).toBe('Quoted string ""');
    expect([...contact!.params]).toEqual([['newparam', 'newvalue'], ['secondparam', null], ['q', '0.33']]);
    expect(msg.body.length).toBe(150);
  });

  it('intmeth: unusual token characters, quoted NUL, UTF-8 values', () => {
    const msg = parse('intmeth') as SipRequest;
    expect(msg.method).toBe("!interesting-Method0123456789_*+`.%indeed'~");
    const uri = parseSipUri(msg.uri);
    expect(uri?.user).toBe("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
    expect(uri?.password).toBe("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
    expect(uri?.host).toBe('example.com');
    expect(parseNameAddr(msg.headers.get('To')!)?.displayName).toBe('BEL:\x07 NUL:\x00 DEL:\x7f');
    const from = parseNameAddr(msg.headers.get('From')!);
    expect(from?.displayName).toBe("token1~` token2'+_ token3*%!.-");
    expect(from?.params.get("fromparam''~+*_!.-%")).toBe('"работающий"');
    expect(from?.params.get('tag')).toBe("_token~1'+`*%!-.");
    expect(msg.headers.get('Call-ID')).toBe("intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{");
    expect(msg.headers.get("extensionHeader-!.%*+_`'~")).toBe('\ufeff大停電');
  });

  it('esc01 and escnull: escapes stay escaped in the URI user part', () => {
    const esc01 = parse('esc01') as SipRequest;
    expect(parseSipUri(esc01.uri)).toMatchObject({ user: 'sips%3Auser%40example.com', host: 'example.net' });
    const contact = parseSipUri(parseNameAddr(esc01.headers.get('Contact')!)!.uri);
    expect(contact?.params.get('n%61me')).toBe('v%61lue%25%34%31');
    const escnull = parse('escnull');
    expect(escnull.headers.getAll('Contact').map((c) => parseSipUri(parseNameAddr(c)!.uri)?.user)).toEqual(['%00', '%00%00']);
  });

  it('esc02: % is not an escape in methods or header names', () => {
    const msg = parse('esc02') as SipRequest;
    expect(msg.method).toBe('RE%47IST%45R');
    expect(msg.headers.getAll('Contact')).toHaveLength(2);
    expect(msg.headers.get('C%6Fntact')).toBe('<sip:alias2@host2.example.com>');
    expect(parseNameAddr(msg.headers.get('To')!)?.displayName).toBe('%Z%45');
  });

  it('lwsdisp, longreq, semiuri, transports', () => {
    expect(parseNameAddr(parse('lwsdisp').headers.get('From')!)?.displayName).toBe('caller');
    const longreq = parse('longreq');
    expect(vias(longreq)).toHaveLength(34);
    expect(vias(longreq)[0]?.host).toBe('sip33.example.com');
    expect(parseSipUri(parseNameAddr(longreq.headers.get('To')!)!.uri)?.port).toBe(6000);
    expect(getTag(longreq.headers.get('From')!)).toBe(`12${'982'.repeat(50)}424`);
    expect(parseSipUri((parse('semiuri') as SipRequest).uri)?.user).toBe('user;par=u%40example.net');
    expect(splitHeaderList(parse('semiuri').headers.get('Accept')!)).toHaveLength(6);
    expect(vias(parse('transports')).map((v) => v.transport)).toEqual(['UDP', 'SCTP', 'TLS', 'UNKNOWN', 'TCP']);
  });

  it('dblreq: octets after Content-Length in a datagram are ignored', () => {
    const msg = parse('dblreq') as SipRequest;
    expect(msg.method).toBe('REGISTER');
    expect(msg.body.length).toBe(0);
  });

  it('mpart01: multipart body framed by Content-Length, binary octets intact', () => {
    const msg = parse('mpart01');
    expect(msg.body.length).toBe(553);
    const type = parseContentType(msg.headers.get('Content-Type')!)!;
    expect(type.mediaType).toBe('multipart/mixed');
    expect(contentTypeParam(type, 'boundary')).toBeDefined();
    expect(msg.body.includes('Hello')).toBe(true);
    expect(msg.body.includes(0)).toBe(true);
  });

  it('unreason and noreason: any reason phrase, including none', () => {
    const unreason = parse('unreason') as SipResponse;
    expect(unreason.status).toBe(200);
    expect(unreason.reason).toBe('= 2**3 * 5**2 но сто девяносто девять - простое');
    const noreason = parse('noreason') as SipResponse;
    expect([noreason.status, noreason.reason]).toEqual([100, '']);
  });

  it('application-layer vectors parse, leaving semantics to the layers above', () => {
    expect((parse('unkscm') as SipRequest).uri).toBe('nobodyKnowsThisScheme:totallyopaquecontent');
    expect((parse('novelsc') as SipRequest).uri).toBe('soap.beep://192.0.2.103:3002');
    expect(parseNameAddr(parse('unksm2').headers.get('To')!)?.uri).toBe('isbn:2983792873');
    expect(vias(parse('badbranch'))[0]?.branch).toBe('z9hG4bK');
    expect(vias(parse('bcast'))[1]?.host).toBe('255.255.255.255');
    expect(parse('zeromf').headers.get('Max-Forwards')).toBe('0');
    expect(parseNameAddr(parse('cparam01').headers.get('Contact')!)?.params.has('unknownparam')).toBe(true);
    expect(parseSipUri(parseNameAddr(parse('cparam02').headers.get('Contact')!)!.uri)?.params.has('unknownparam')).toBe(true);
    expect(parseSipUri(parseNameAddr(parse('regescrt').headers.get('Contact')!)!.uri)?.headers.get('Route')).toBe('%3Csip:sip.example.com%3E');
    const inv2543 = parse('inv2543');
    expect(vias(inv2543)[0]?.branch).toBeUndefined();
    expect(inv2543.body.toString()).toContain('m=audio 49217 RTP/AVP 0');
  });

  it('insuf: the 400 cannot be formed without Call-ID, From and To', () => {
    try {
      parse('insuf');
    } catch (error) {
      expect((error as SipParseError).reason).toMatch(/From, To, Call-ID/);
      expect((error as SipParseError).canRespond).toBe(false);
      return;
    }
    throw new Error('insuf parsed');
  });

  it('clerr: the 400 can be formed from the recovered headers', () => {
    try {
      parse('clerr');
    } catch (error) {
      expect((error as SipParseError).canRespond).toBe(true);
      expect((error as SipParseError).partial?.callId).toBe('clerr.0ha0isndaksdjweiafasdk3');
      return;
    }
    throw new Error('clerr parsed');
  });
});
