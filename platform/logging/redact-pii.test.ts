import { describe, expect, it } from 'vitest';
import { maskDigitRuns, maskDisplayNames, maskNumber, maskUris, maskUser, redactSipText, redactValue } from './redact-pii.js';

const CALLER = '+15551234567';

describe('maskNumber', () => {
  it('keeps the plus and the last two digits of a long number, hiding the length', () => {
    expect(maskNumber('+15551234567')).toBe('+***67');
    expect(maskNumber('15551234567')).toBe('***67');
    expect(maskNumber('+44 (20) 7946-0958')).toBe('+***58');
  });
  it('keeps nothing of a short number', () => {
    expect(maskNumber('1234')).toBe('***');
    expect(maskNumber('+12345')).toBe('+***');
  });
  it('is idempotent', () => {
    for (const value of ['+15551234567', '123', '44207946', '']) {
      expect(maskNumber(maskNumber(value))).toBe(maskNumber(value));
    }
  });
});

describe('maskUser', () => {
  it('masks numeric users as numbers and names by keeping two characters', () => {
    expect(maskUser('+15551234567')).toBe('+***67');
    expect(maskUser('alice.smith')).toBe('***th');
    expect(maskUser('bob')).toBe('***');
    expect(maskUser('%2B15551234567')).toBe('+***67');
  });
  it('masks non-ASCII users', () => {
    expect(maskUser('josé.garcía')).toBe('***ía');
  });
});

describe('maskDigitRuns', () => {
  it('masks free-standing runs of 7+ digits', () => {
    expect(maskDigitRuns(`call from ${CALLER} to 4420794609`)).toBe('call from +***67 to ***09');
    expect(maskDigitRuns('a=15551234567,b=15551234568')).toBe('a=***67,b=***68');
    expect(maskDigitRuns('GET /calls?to=%2B15551234567&x=1')).toBe('GET /calls?to=***67&x=1');
  });
  it('keeps short runs, IP addresses and digits glued to letters', () => {
    const text = 'port 5060 at 127.0.0.1 branch z9hG4bK776asdhds1234567 id a84b4c76e66710123 cseq 123456';
    expect(maskDigitRuns(text)).toBe(text);
  });
  it('masks numbers written in groups: any grouping after a +, the North American shape without', () => {
    expect(maskDigitRuns('caller +1 555 123 4567 rang')).toBe('caller +***67 rang');
    expect(maskDigitRuns('to +44 (20) 7946-0958.')).toBe('to +***58.');
    expect(maskDigitRuns('+33 1 23 45 67 89')).toBe('+***89');
    expect(maskDigitRuns('call (555) 123-4567 now')).toBe('call (***67 now');
    expect(maskDigitRuns('555.123.4567 and 1 555 123 4567')).toBe('***67 and ***67');
  });

  it('keeps digits that are not a phone number: dates, addresses, versions, port lists, JSON numbers', () => {
    for (const text of [
      '2026-12-08 02:00:00', '192.168.100.200', 'v10.5.3.1', 'ports 30000 30001 30002', 'range 20000-39999',
      '{"receiveBufferBytes":2097152,"sendBufferBytes":212992}', 'took 1 234 567 ms', '12 34 56 78',
    ]) expect(maskDigitRuns(text), text).toBe(text);
    // A JSON number under an identity key is still a party.
    expect(maskDigitRuns('{"caller":15551234567,"dialledNumber":18005550188}')).toBe('{"caller":***67,"dialledNumber":***88}');
  });

  it('masks runs next to non-ASCII text', () => {
    expect(maskDigitRuns('appel de 15551234567 reçu')).toBe('appel de ***67 reçu');
    expect(maskDigitRuns('呼叫15551234567')).toBe('呼叫15551234567'); // glued to a word, as in an identifier
    expect(maskDigitRuns('呼叫 15551234567')).toBe('呼叫 ***67');
  });
});

describe('identity keys', () => {
  it('masks the dialledNumber field wherever it sits', () => {
    expect(redactValue({ call: { dialledNumber: '+18005550188', legs: 2 } })).toEqual({ call: { dialledNumber: '+***88', legs: 2 } });
  });
});

describe('maskUris', () => {
  it('masks the user part of sip and sips URIs, keeping the host', () => {
    expect(maskUris('sip:+15551234567@carrier.example.com')).toBe('sip:+***67@carrier.example.com');
    expect(maskUris('SIPS:alice.smith@example.com:5061')).toBe('SIPS:***th@example.com:5061');
  });
  it('masks user parts with parameters and passwords', () => {
    expect(maskUris('sip:+15551234567;npdi;rn=+15559990000@gw.example.com;user=phone'))
      .toBe('sip:+***67;npdi;rn=+***00@gw.example.com;user=phone');
    expect(maskUris('sip:alice:s3cret;x=1@host')).toBe('sip:***:***;x=1@host');
  });
  it('handles IPv6 hosts with and without a user', () => {
    expect(maskUris('<sip:15551234567@[2001:db8::1]:5060;transport=tcp>')).toBe('<sip:***67@[2001:db8::1]:5060;transport=tcp>');
    expect(maskUris('sip:[2001:db8::1]:5060')).toBe('sip:[2001:db8::1]:5060');
  });
  it('masks tel URIs, with visual separators', () => {
    expect(maskUris('tel:+1-555-123-4567;phone-context=example.com')).toBe('tel:+***67;phone-context=example.com');
    expect(maskUris('<tel:15551234567>')).toBe('<tel:***67>');
  });
  it('leaves URIs without a user and lookalike words alone', () => {
    const text = 'Via: SIP/2.0/UDP 127.0.0.1:5060 Route: <sip:127.0.0.1:5070;lr> hotel:1234567';
    expect(maskUris(text)).toBe(text);
  });
  it('masks every occurrence', () => {
    expect(maskUris('sip:111111111@a, sip:222222222@b, tel:333333333'))
      .toBe('sip:***11@a, sip:***22@b, tel:***33');
  });
});

describe('maskDisplayNames', () => {
  it('masks quoted and unquoted display names in a name-addr list', () => {
    expect(maskDisplayNames(' "Bob +1 555 123 4567" <sip:x@h>;tag=1, Alice <sip:y@h>'))
      .toBe(' "***" <sip:x@h>;tag=1, "***" <sip:y@h>');
  });
  it('copes with escaped quotes, commas and angle brackets inside quotes', () => {
    expect(maskDisplayNames('"A \\"B\\" <C>, D" <sip:x@h>')).toBe('"***" <sip:x@h>');
  });
  it('leaves an addr-spec without a display name alone', () => {
    expect(maskDisplayNames(' sip:x@h;tag=1')).toBe(' sip:x@h;tag=1');
  });
});

const INVITE = [
  `INVITE sip:${CALLER}@127.0.0.1:5060;user=phone SIP/2.0`,
  'Via: SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bK776asdhds',
  'Max-Forwards: 70',
  `To: "Support" <sip:18005550100@127.0.0.1>`,
  `From: "John 5551234567" <sip:${CALLER}@127.0.0.2>;tag=1928301774`,
  `f: <sip:${CALLER}@127.0.0.2>;tag=1928301774`,
  'Call-ID: a84b4c76e66710@pc33.example.com',
  'CSeq: 314159 INVITE',
  `Contact: <sip:${CALLER}@[2001:db8::2]:5060>`,
  `P-Asserted-Identity: "John Doe" <tel:${CALLER}>`,
  `Remote-Party-ID: "John" <sip:${CALLER}@127.0.0.2>;party=calling;screen=yes`,
  `Diversion: <sip:18005550199@127.0.0.2>;reason=unconditional;counter=1`,
  'Authorization: Digest username="john.doe", realm="example.com", uri="sip:18005550100@127.0.0.1"',
  'Content-Type: application/sdp',
  'Content-Length: 142',
  '',
  'v=0',
  'o=- 2890844526 2890842807 IN IP4 127.0.0.2',
  's=-',
  'c=IN IP4 127.0.0.2',
  't=0 0',
  'm=audio 49170 RTP/AVP 0',
  'a=rtpmap:0 PCMU/8000',
  '',
].join('\r\n');

describe('redactSipText on a raw INVITE', () => {
  const redacted = redactSipText(INVITE);

  it('leaves no caller number, user part or display name in clear', () => {
    for (const secret of ['15551234567', '5551234567', '18005550100', '18005550199', 'John', 'Support', 'john.doe', '555 123']) {
      expect(redacted).not.toContain(secret);
    }
  });
  it('keeps the structure, hosts, tags and SDP origin ids', () => {
    expect(redacted).toContain('INVITE sip:+***67@127.0.0.1:5060;user=phone SIP/2.0\r\n');
    expect(redacted).toContain('From: "***" <sip:+***67@127.0.0.2>;tag=1928301774\r\n');
    expect(redacted).toContain('P-Asserted-Identity: "***" <tel:+***67>\r\n');
    expect(redacted).toContain('Contact: <sip:+***67@[2001:db8::2]:5060>\r\n');
    expect(redacted).toContain('Authorization: Digest username="***", realm="example.com", uri="sip:***00@127.0.0.1"');
    expect(redacted).toContain('o=- 2890844526 2890842807 IN IP4 127.0.0.2\r\n');
    expect(redacted).toContain('Call-ID: a84b4c76e66710@pc33.example.com\r\n');
    expect(redacted.split('\r\n')).toHaveLength(INVITE.split('\r\n').length);
  });
  it('masks a numeric SDP origin username, and numbers after the session ids', () => {
    expect(redactSipText(`o=${CALLER} 2890844526 1 IN IP4 127.0.0.1`)).toBe('o=+***67 2890844526 1 IN IP4 127.0.0.1');
    expect(redactSipText(`o=- 1 2 IN IP4 ${CALLER}`)).toBe('o=- 1 2 IN IP4 +***67');
    expect(redactSipText('o= 15551234567 ]> x')).toBe('o= ***67 ]> x');
  });
  it('is idempotent', () => {
    expect(redactSipText(redacted)).toBe(redacted);
  });
});

describe('redactSipText on generated SIP-like text', () => {
  // A seeded generator of fragments around the caller number. The number is always
  // set off by non-word characters, so wherever it lands it must come out masked.
  const fragments = ['sip:', 'sips:', 'tel:', '<', '>', '"', ' ', ',', ';', '=', '@', 'host', '\r\n', '\n', 'From: ', 'To: ',
    'P-Asserted-Identity: ', 'Contact: ', 'o=', 'a=', ':', '[', ']', '::1', 'alice', 'user=phone;', 'username=', '\\', '%2B', 'é', 'tag=', 'o=- ', '1 ', 'f:'];
  const separators = [' ', '<', '>', '"', ',', ';', '=', ':', '@', '\n', '\r\n', '(', ')', '-', '/', '.'];
  let seed = 42;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const pick = <T>(list: readonly T[]): T => list[random(list.length)] as T;

  it('never lets the caller number through, in 20,000 generated texts', () => {
    for (let k = 0; k < 20_000; k++) {
      let text = '';
      const parts = 1 + random(12);
      for (let p = 0; p < parts; p++) {
        text += random(3) === 0 ? `${pick(separators)}${pick([CALLER, CALLER.slice(1)])}${pick(separators)}` : pick(fragments);
      }
      text += `${pick(separators)}${CALLER}${pick(separators)}`;
      const redacted = redactSipText(text);
      if (redacted.includes('5551234567')) throw new Error(`leaked in ${JSON.stringify(text)} -> ${JSON.stringify(redacted)}`);
      expect(redactSipText(redacted)).toBe(redacted);
    }
  });
});

describe('redactSipText on hostile input', () => {
  // Each input would cost quadratic or exponential time in a backtracking matcher;
  // here each is one pass, so the whole block stays far inside the test timeout.
  const size = 1_000_000;
  it('handles a million repeated scheme prefixes without an @', () => {
    const input = 'sip:'.repeat(size / 4);
    expect(redactSipText(input)).toBe(input);
  });
  it('handles a huge user part and a huge digit run', () => {
    expect(redactSipText(`sip:${'a'.repeat(size)}@h`)).toBe('sip:***aa@h');
    expect(redactSipText('9'.repeat(size))).toBe('***99');
  });
  it('handles many unclosed quotes and digest prefixes in identity headers', () => {
    const input = 'From: ' + '"<,'.repeat(size / 3);
    expect(redactSipText(input).length).toBeGreaterThan(0);
    const digest = 'username='.repeat(size / 9);
    expect(redactSipText(digest)).toContain('username=***');
  });
  it('handles many short lines with numbers', () => {
    const input = `To: <sip:${CALLER}@h>\n`.repeat(20_000);
    const output = redactSipText(input);
    expect(output).not.toContain('1555');
    expect(output.split('\n')).toHaveLength(20_001);
  });
});

describe('redactValue', () => {
  it('masks identity fields and any string anywhere in an object', () => {
    const value = {
      caller: CALLER,
      callee: 18005550100,
      to: 'sip:bob.smith@127.0.0.1',
      from: '127.0.0.2', // a source address, kept
      uri: '/metrics?pop=15551234567', // an HTTP path: kept, numbers masked
      port: 5060,
      nested: { deeper: [{ note: `customer ${CALLER} called`, user: 'alice' }] },
      raw: Buffer.from(INVITE),
    };
    const redacted = redactValue(value) as Record<string, unknown>;
    const text = JSON.stringify(redacted);
    expect(text).not.toContain('5551234567');
    expect(text).not.toContain('18005550100');
    expect(text).not.toContain('bob.smith');
    expect(text).not.toContain('alice');
    expect(redacted.caller).toBe('+***67');
    expect(redacted.callee).toBe('***00');
    expect(redacted.from).toBe('127.0.0.2');
    expect(redacted.uri).toBe('/metrics?pop=***67');
    expect(redacted.port).toBe(5060);
    expect(value.caller).toBe(CALLER); // the input is not modified
  });
  it('keeps Errors as Errors, with message, stack and fields masked', () => {
    const error = Object.assign(new TypeError(`no route for ${CALLER}`), { dialled: CALLER });
    const redacted = redactValue(error) as TypeError & { dialled: string };
    expect(redacted).toBeInstanceOf(TypeError);
    expect(redacted.message).toBe('no route for +***67');
    expect(redacted.stack).not.toContain('5551234567');
    expect(redacted.dialled).toBe('+***67');
  });
  it('survives cycles and deep nesting', () => {
    const cyclic: Record<string, unknown> = { caller: CALLER };
    cyclic.self = cyclic;
    expect(JSON.stringify(redactValue(cyclic))).toBe('{"caller":"+***67","self":"[Circular]"}');
    let deep: Record<string, unknown> = { caller: CALLER };
    for (let k = 0; k < 100; k++) deep = { deep };
    expect(JSON.stringify(redactValue(deep))).not.toContain('5551234567');
  });
  it('never throws on hostile objects', () => {
    const hostile = { caller: CALLER, get boom(): string { throw new Error(`leak ${CALLER}`); } };
    expect(redactValue({ ok: 1, hostile })).toEqual({ ok: 1, hostile: '[Unserializable]' });
    const badJson = { toJSON: () => { throw new Error('no'); } };
    expect(redactValue([badJson])).toEqual(['[Unserializable]']);
  });

  it('uses toJSON of class instances', () => {
    const request = { toJSON: () => ({ uri: `sip:${CALLER}@h` }) };
    expect(redactValue(request)).toEqual({ uri: 'sip:+***67@h' });
  });
});
