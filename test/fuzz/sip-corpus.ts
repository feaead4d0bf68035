// The fuzz corpus: typical carrier/B2BUA messages (test/fuzz/corpus) plus the
// RFC 4475 torture messages (test/vectors/rfc4475).

import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const corpusDir = fileURLToPath(new URL('./corpus/', import.meta.url));
const vectorDir = fileURLToPath(new URL('../vectors/rfc4475/', import.meta.url));

/** One typical message from test/fuzz/corpus, e.g. 'invite-sdp' or 'ok-200-sdp'. */
export function loadCorpusMessage(name: string): Buffer {
  return readFileSync(`${corpusDir}${name}.sip`);
}

/** Every corpus message and every RFC 4475 vector, in a stable order. */
export function loadSipCorpus(): Buffer[] {
  const typical = readdirSync(corpusDir).filter((f) => f.endsWith('.sip')).sort().map((f) => readFileSync(corpusDir + f));
  const vectors = readdirSync(vectorDir).filter((f) => f.endsWith('.dat')).sort().map((f) => readFileSync(vectorDir + f));
  return [...typical, ...vectors];
}
