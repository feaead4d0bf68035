// A bounded fuzz run of the SIP parser and the header grammar: one million
// mutated real messages. Asserts that only SipParseError is ever thrown (and
// never the parser's "internal parser error" wrapper), that no input takes long
// (no hang, no super-linear blow-up), that heap use after GC stays bounded, and
// that anything the parser accepts can be serialised and parsed again.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createMutator } from './mutator.js';
import { loadSipCorpus } from './sip-corpus.js';
import { parseSipMessage } from '../../edge/engine/messages/parse-message.js';
import { serializeSipMessage } from '../../edge/engine/messages/serialize-message.js';
import { SipParseError } from '../../edge/engine/messages/sip-parse-error.js';
import type { SipMessage } from '../../edge/engine/messages/sip-message.js';
import { splitHeaderList } from '../../edge/engine/messages/headers/header-list.js';
import { formatNameAddr, getTag, parseNameAddr, withTag } from '../../edge/engine/messages/headers/name-addr.js';
import { formatSipUri, parseSipUri } from '../../edge/engine/messages/headers/sip-uri.js';
import { formatVia, parseViaList } from '../../edge/engine/messages/headers/via.js';
import { parseCSeq } from '../../edge/engine/messages/headers/cseq.js';
import { contentTypeParam, parseContentType } from '../../edge/engine/messages/headers/content-type.js';
import { parseRAck, parseRSeq } from '../../edge/engine/messages/headers/rack.js';
import { parseMinSE, parseSessionExpires } from '../../edge/engine/messages/headers/session-expires.js';

const SEED = 0x5eed4475;
const TOTAL = 1_000_000;
const CHUNK = 25_000;
const SLOWEST_ALLOWED_MS = 100;
const HEAP_GROWTH_ALLOWED = 32 * 1024 * 1024;
const TIGHT_LIMITS = { maxMessageBytes: 2_000, maxHeaders: 8, maxLineBytes: 200 };

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const NAME_ADDR_HEADERS = ['From', 'To', 'Contact', 'Route', 'Record-Route', 'P-Asserted-Identity', 'Refer-To', 'Referred-By'];

/** A grammar result that formats must parse again. */
function checkUri(uri: string): void {
  const parsed = parseSipUri(uri);
  if (parsed && !parseSipUri(formatSipUri(parsed))) throw new Error(`URI does not round-trip: ${uri}`);
}

/** Every grammar function the layers above use, applied to a parsed message. */
function exerciseGrammar(msg: SipMessage): void {
  if (msg.kind === 'request') checkUri(msg.uri);
  for (const value of msg.headers.getAll('Via')) {
    for (const via of parseViaList(value) ?? []) {
      if (!parseViaList(formatVia(via))) throw new Error(`Via does not round-trip: ${value}`);
    }
  }
  for (const name of NAME_ADDR_HEADERS) {
    for (const value of msg.headers.getAll(name)) {
      getTag(value);
      withTag(value, 'fz1');
      for (const element of splitHeaderList(value)) {
        const nameAddr = parseNameAddr(element);
        if (!nameAddr) continue;
        checkUri(nameAddr.uri);
        if (!parseNameAddr(formatNameAddr(nameAddr))) throw new Error(`name-addr does not round-trip: ${element}`);
      }
    }
  }
  parseCSeq(msg.headers.get('CSeq') ?? '');
  parseRAck(msg.headers.get('RAck') ?? '');
  parseRSeq(msg.headers.get('RSeq') ?? '');
  parseSessionExpires(msg.headers.get('Session-Expires') ?? '');
  parseMinSE(msg.headers.get('Min-SE') ?? '');
  const type = parseContentType(msg.headers.get('Content-Type') ?? '');
  if (type && type.type === 'multipart') contentTypeParam(type, 'boundary');
  // What the parser accepted, the serialiser must write so that it parses again.
  const again = parseSipMessage(serializeSipMessage(msg));
  if (again.headers.getAll('Call-ID')[0] !== msg.headers.getAll('Call-ID')[0] || !again.body.equals(msg.body)) {
    throw new Error('serialise/parse round trip changed the message');
  }
}

/** Parse one input and exercise the grammar on the result; a string describes a failure. */
function runOne(input: Buffer, limits: typeof TIGHT_LIMITS | undefined): 'parsed' | 'rejected' | string {
  let msg: SipMessage;
  try {
    msg = parseSipMessage(input, limits);
  } catch (error) {
    if (error instanceof SipParseError && !error.reason.startsWith('internal parser error')) return 'rejected';
    return `parse threw ${String(error)}`;
  }
  try {
    exerciseGrammar(msg);
  } catch (error) {
    return `grammar threw ${String(error)}`;
  }
  return 'parsed';
}

describe('SIP parser fuzz', () => {
  it(`survives ${TOTAL.toLocaleString('en')} mutated messages`, () => {
    const mutator = createMutator(SEED, loadSipCorpus());
    const failures: string[] = [];
    let parsed = 0;
    let rejected = 0;
    let slowestMs = 0;
    let slowestInput = '(none re-timed)';
    const suspects: { input: Buffer; limits: typeof TIGHT_LIMITS | undefined }[] = [];
    let baselineHeap = 0;
    const started = performance.now();

    for (let done = 0; done < TOTAL; done += CHUNK) {
      for (let i = 0; i < CHUNK; i++) {
        const input = mutator.next();
        const limits = (done + i) % 16 === 0 ? TIGHT_LIMITS : undefined;
        const t0 = performance.now();
        const outcome = runOne(input, limits);
        const elapsed = performance.now() - t0;
        if (outcome === 'parsed') parsed++;
        else if (outcome === 'rejected') rejected++;
        else if (failures.length < 5) failures.push(`${outcome} for base64:${input.toString('base64')}`);
        if (elapsed > SLOWEST_ALLOWED_MS) {
          if (suspects.length < 1000) suspects.push({ input, limits });
        } else slowestMs = Math.max(slowestMs, elapsed);
      }
      if (done === 0) {
        gc();
        baselineHeap = process.memoryUsage().heapUsed;
      }
    }
    // A GC pause or a busy machine (other test files run in parallel) can stall
    // any one input; a hang or a super-linear path is slow every time. Time each
    // suspect again, later, and keep its best time.
    for (const suspect of suspects) {
      let best = Infinity;
      for (let attempt = 0; attempt < 5; attempt++) {
        // CPU time, not wall time: a descheduled process is not a slow parser.
        const before = process.cpuUsage();
        runOne(suspect.input, suspect.limits);
        const used = process.cpuUsage(before);
        best = Math.min(best, (used.user + used.system) / 1000);
      }
      if (best > slowestMs) {
        slowestMs = best;
        slowestInput = `base64:${suspect.input.toString('base64')}`;
      }
    }
    gc();
    const heapGrowth = process.memoryUsage().heapUsed - baselineHeap;
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `fuzz: ${TOTAL} inputs in ${seconds.toFixed(1)} s, ${parsed} parsed, ${rejected} rejected, ` +
        `${suspects.length} stalled inputs re-timed, slowest ${slowestMs.toFixed(2)} ms, heap growth ${(heapGrowth / 1048576).toFixed(1)} MiB`,
    );

    expect(failures).toEqual([]);
    expect(parsed + rejected).toBe(TOTAL);
    // Enough inputs get through the parser for the grammar checks to mean something.
    expect(parsed).toBeGreaterThan(TOTAL / 20);
    expect(slowestMs, slowestInput).toBeLessThan(SLOWEST_ALLOWED_MS);
    expect(heapGrowth).toBeLessThan(HEAP_GROWTH_ALLOWED);
  }, 300_000);
});
