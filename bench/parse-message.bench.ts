// SIP message parser throughput: `npx vitest bench --run bench/parse-message.bench.ts`.
// Figures and machine details go in docs/benchmarks.md ("SIP message parser").

import { bench, describe } from 'vitest';
import { parseSipMessage } from '../edge/engine/messages/parse-message.js';
import { serializeSipMessage } from '../edge/engine/messages/serialize-message.js';
import { parseTopVia } from '../edge/engine/messages/headers/via.js';
import { getTag } from '../edge/engine/messages/headers/name-addr.js';
import { parseCSeq } from '../edge/engine/messages/headers/cseq.js';
import { loadCorpusMessage, loadSipCorpus } from '../test/fuzz/sip-corpus.js';
import { createMutator } from '../test/fuzz/mutator.js';

const invite = loadCorpusMessage('invite-sdp');
const ok = loadCorpusMessage('ok-200-sdp');
const parsedInvite = parseSipMessage(invite);

describe('SIP message parser', () => {
  bench('parse INVITE with SDP', () => {
    parseSipMessage(invite);
  });
  bench('parse 200 OK with SDP', () => {
    parseSipMessage(ok);
  });
  bench('parse INVITE + read top Via, tags, CSeq (what the transaction layer needs)', () => {
    const msg = parseSipMessage(invite);
    parseTopVia(msg.headers.get('Via')!);
    getTag(msg.headers.get('From')!);
    getTag(msg.headers.get('To')!);
    parseCSeq(msg.headers.get('CSeq')!);
  });
  bench('serialize INVITE with SDP', () => {
    serializeSipMessage(parsedInvite);
  });
});

describe('fuzz harness', () => {
  const mutator = createMutator(1, loadSipCorpus());
  bench('mutator.next()', () => {
    mutator.next();
  });
});
