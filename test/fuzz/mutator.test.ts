import { describe, expect, it } from 'vitest';
import { createMutator } from './mutator.js';
import { createPrng } from './prng.js';

const corpus = [Buffer.from('INVITE sip:a@b SIP/2.0\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n'), Buffer.from('SIP/2.0 200 OK\r\n\r\n')];

describe('createMutator', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = createMutator(7, corpus);
    const b = createMutator(7, corpus);
    const c = createMutator(8, corpus);
    const seqA = Array.from({ length: 200 }, () => a.next().toString('base64'));
    const seqB = Array.from({ length: 200 }, () => b.next().toString('base64'));
    const seqC = Array.from({ length: 200 }, () => c.next().toString('base64'));
    expect(seqA).toEqual(seqB);
    expect(seqA).not.toEqual(seqC);
    expect(a.produced).toBe(200);
  });

  it('mutates most inputs, respects maxLength and never modifies the corpus', () => {
    const before = corpus.map((m) => Buffer.from(m));
    const mutator = createMutator(1, corpus, { maxLength: 300 });
    let changed = 0;
    for (let i = 0; i < 5000; i++) {
      const out = mutator.next();
      expect(out.length).toBeLessThanOrEqual(300);
      if (!corpus.some((m) => m.equals(out))) changed++;
      out.fill(0); // outputs are private copies
    }
    expect(changed).toBeGreaterThan(4000);
    expect(corpus).toEqual(before);
  });

  it('uses a caller-supplied dictionary and numeric fields', () => {
    const mutator = createMutator(3, [Buffer.from('len 5\n')], { dictionary: ['#MARK#'], numericFields: ['len '] });
    const outputs = Array.from({ length: 2000 }, () => mutator.next().toString('latin1'));
    expect(outputs.some((o) => o.includes('#MARK#'))).toBe(true);
    expect(outputs.some((o) => o.includes('len 2147483648'))).toBe(true);
  });

  it('refuses an empty corpus', () => {
    expect(() => createMutator(1, [])).toThrow(/non-empty corpus/);
  });
});

describe('createPrng', () => {
  it('gives reproducible, roughly uniform values', () => {
    const prng = createPrng(123);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 40_000; i++) counts[prng.below(4)]!++;
    for (const count of counts) expect(count).toBeGreaterThan(9_000);
    expect(createPrng(5).next()).toBe(createPrng(5).next());
  });
});
