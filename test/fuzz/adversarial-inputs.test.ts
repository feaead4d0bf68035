// Inputs shaped to hit the worst case of each grammar function (long runs of
// separators, escapes, parameters, list elements), at the largest size a message
// can carry. Each must finish quickly: this guards against quadratic scans that
// random mutation rarely builds (a quadratic scan of 64 KiB takes seconds, the
// linear one a few milliseconds).

import { describe, expect, it } from 'vitest';
import { parseSipMessage } from '../../edge/engine/messages/parse-message.js';
import { SipParseError } from '../../edge/engine/messages/sip-parse-error.js';
import { splitHeaderList } from '../../edge/engine/messages/headers/header-list.js';
import { getTag, parseNameAddr, withTag } from '../../edge/engine/messages/headers/name-addr.js';
import { parseSipUri } from '../../edge/engine/messages/headers/sip-uri.js';
import { parseViaList } from '../../edge/engine/messages/headers/via.js';
import { parseParams } from '../../edge/engine/messages/headers/header-params.js';
import { parseContentType } from '../../edge/engine/messages/headers/content-type.js';
import { parseSessionExpires } from '../../edge/engine/messages/headers/session-expires.js';

const SIZE = 64 * 1024;
const BUDGET_MS = 100;

/**
 * Best of three CPU times (user + system) in ms. CPU time, not wall time: other
 * test files share the machine, and a descheduled process is not a slow parser.
 */
function bestOfThree(run: () => unknown): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const before = process.cpuUsage();
    run();
    const used = process.cpuUsage(before);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return best;
}

const fill = (unit: string, prefix = '', suffix = ''): string =>
  prefix + unit.repeat(Math.floor((SIZE - prefix.length - suffix.length) / unit.length)) + suffix;

const values: [string, string][] = [
  ['URI params without values', fill(';a', 'sip:u@h')],
  ['URI params with values', fill(';a=b', 'sip:u@h')],
  ['URI headers', fill('&a=b', 'sip:u@h?x=y')],
  ['URI escapes', fill('%41', 'sip:', '@h')],
  ['unterminated quoted display name', fill('\\"', '"')],
  ['angle brackets', fill('<', '<sip:a@b')],
  ['header params', fill(';p=v', '<sip:a@b>')],
  ['valueless header params', fill(';p', '<sip:a@b>')],
  ['tag-like params', fill(';tag', '<sip:a@b>')],
  ['comma list', fill(',', '<sip:a@b>')],
  ['quoted commas', fill('"a,b" <sip:c@d>,')],
  ['Via params', fill(';branch=z9hG4bK1', 'SIP/2.0/UDP h')],
  ['Via list', fill('SIP/2.0/UDP h;branch=z9hG4bK1,')],
  ['LWS runs', fill(' ', 'SIP/2.0/UDP', 'h')],
];

describe('adversarial header values', () => {
  it.each(values)('%s: every grammar function finishes quickly', (_label, value) => {
    const elapsed = bestOfThree(() => {
      parseSipUri(value);
      parseNameAddr(value);
      getTag(value);
      withTag(value, 't');
      for (const element of splitHeaderList(value)) parseNameAddr(element);
      parseViaList(value);
      parseParams(value, 0);
      parseContentType(`a/b${value}`);
      parseSessionExpires(`1${value}`);
    });
    expect(elapsed).toBeLessThan(BUDGET_MS);
  });
});

const HEAD = [
  'INVITE sip:a@b SIP/2.0', 'Via: SIP/2.0/UDP h;branch=z9hG4bK1', 'From: <sip:a@b>;tag=1', 'To: <sip:c@d>',
  'Call-ID: x', 'CSeq: 1 INVITE',
].join('\r\n');

/** A message whose one extra header carries `value` as folded 100-character lines. */
function folded(name: string, value: string): Buffer {
  const lines = value.match(/.{1,100}/gs) ?? [];
  return Buffer.from(`${HEAD}\r\n${name}: ${lines.join('\r\n ')}\r\n\r\n`);
}

const messages: [string, Buffer][] = [
  ['a folded Contact with thousands of params', folded('Contact', fill(';x', '<sip:a@b', '>').slice(0, 60_000))],
  ['a folded To-like list', folded('Route', fill('<sip:a@b>,').slice(0, 60_000))],
  ['a folded Via with thousands of elements', folded('Via', fill('SIP/2.0/UDP h,').slice(0, 60_000))],
  ['thousands of header lines', Buffer.from(`${HEAD}\r\n${'X-A: 1\r\n'.repeat(7000)}\r\n`)],
  ['a Request-URI full of params', Buffer.from(`INVITE sip:a@b${';p'.repeat(4000)} SIP/2.0\r\n\r\n`)],
  ['only line ends', Buffer.alloc(SIZE, '\r\n')],
  ['one endless line', Buffer.alloc(SIZE - 1, 'a')],
  ['bare LFs', Buffer.from(`${HEAD.replace(/\r\n/g, '\n')}\n${'X: \n'.repeat(10_000)}\n`)],
];

describe('adversarial messages', () => {
  it.each(messages)('%s: parses or is rejected quickly', (_label, data) => {
    const elapsed = bestOfThree(() => {
      try {
        parseSipMessage(data);
      } catch (error) {
        if (!(error instanceof SipParseError)) throw error;
      }
    });
    expect(elapsed).toBeLessThan(BUDGET_MS);
  });
});
