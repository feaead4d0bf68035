// A deterministic mutational fuzzer over a corpus of real messages. It knows
// nothing about SIP beyond its default dictionary, so other line-oriented
// protocol readers (the drachtio control protocol) can reuse it with their own
// dictionary and numeric field names.
//
//   const mutator = createMutator(42, corpus);
//   for (let i = 0; i < 1_000_000; i++) feed(mutator.next());

import { createPrng, type Prng } from './prng.js';

export interface MutatorOptions {
  /** Outputs are cut to this many bytes (default 70,000: just over the parser's 65,535 limit). */
  maxLength?: number;
  /** Up to this many mutations are stacked on one input (default 4). */
  maxMutations?: number;
  /** Byte strings worth inserting (default: SIP_DICTIONARY). */
  dictionary?: readonly (string | Buffer)[];
  /** Names after which a number is worth replacing with a boundary value (default: SIP_NUMERIC_FIELDS). */
  numericFields?: readonly string[];
}

export interface Mutator {
  /** The next mutated input (a fresh Buffer, never shared with the corpus). */
  next(): Buffer;
  /** How many inputs next() has produced. */
  readonly produced: number;
}

export const SIP_DICTIONARY: readonly string[] = [
  '\r', '\n', '\r\n', '\r\n\r\n', '\0', '"', '\\', '\\"', '<', '>', ',', ';', ':', '=', '@', '%', '%00', '%zz', '[', ']',
  '[::1]', ' ', '\t', '\r\n ', ';;,,', 'SIP/2.0', 'SIP/7.0', 'sip:', 'sips:', 'tel:', ';tag=', ';branch=z9hG4bK',
  ';rport', ';received=', 'Content-Length: ', 'l: ', 'Via: SIP/2.0/UDP ', 'v: ', 'CSeq: 1 ', '\xff\xfe', '\xef\xbb\xbf',
];

export const SIP_NUMERIC_FIELDS: readonly string[] = ['Content-Length', 'l:', 'CSeq', 'Max-Forwards', 'Expires', 'RAck', 'RSeq', 'rport=', 'SIP/2.0 '];

const BOUNDARY_NUMBERS: readonly string[] = [
  '0', '-1', '-999', '1', '255', '256', '65535', '65536', '2147483647', '2147483648', '4294967295', '4294967296',
  '9007199254740993', '36893488147419103232', '1e3', '0x10', '+1', ' ', '', '00000000000000000000000000001', '9'.repeat(400),
];

const RUN_BYTES: readonly string[] = ['a', ' ', ';', ',', '"', '<', '%', '\\', '\r\n', ' \r\n', 'x=y;', '\0', '9'];

type Mutation = (input: Buffer, prng: Prng, corpus: readonly Buffer[]) => Buffer;

function lineBounds(input: Buffer, at: number): [number, number] {
  const start = at === 0 ? 0 : input.lastIndexOf(0x0a, at - 1) + 1;
  const lf = input.indexOf(0x0a, at);
  return [start, lf === -1 ? input.length : lf + 1];
}

export function createMutator(seed: number, corpus: readonly Buffer[], options: MutatorOptions = {}): Mutator {
  if (corpus.length === 0) throw new Error('createMutator needs a non-empty corpus');
  const prng = createPrng(seed);
  const maxLength = options.maxLength ?? 70_000;
  const maxMutations = options.maxMutations ?? 4;
  const dictionary = (options.dictionary ?? SIP_DICTIONARY).map((t) => (typeof t === 'string' ? Buffer.from(t, 'latin1') : t));
  const numericFields = (options.numericFields ?? SIP_NUMERIC_FIELDS).map((f) => Buffer.from(f, 'latin1'));
  let produced = 0;

  const at = (input: Buffer): number => prng.below(input.length + 1);
  const insert = (input: Buffer, pos: number, bytes: Buffer): Buffer =>
    Buffer.concat([input.subarray(0, pos), bytes, input.subarray(pos)]);
  const replace = (input: Buffer, from: number, to: number, bytes: Buffer): Buffer =>
    Buffer.concat([input.subarray(0, from), bytes, input.subarray(to)]);

  const mutations: Mutation[] = [
    // flip one bit
    (input) => {
      if (input.length === 0) return input;
      const out = Buffer.from(input);
      const i = prng.below(out.length);
      out[i] = out[i]! ^ (1 << prng.below(8));
      return out;
    },
    // overwrite one byte with any value
    (input) => {
      if (input.length === 0) return input;
      const out = Buffer.from(input);
      out[prng.below(out.length)] = prng.below(256);
      return out;
    },
    // insert a dictionary token
    (input) => insert(input, at(input), dictionary[prng.below(dictionary.length)]!),
    // insert a long run of one pattern (line-length and size limits, quadratic hazards)
    (input) => {
      const unit = RUN_BYTES[prng.below(RUN_BYTES.length)]!;
      const count = prng.oneIn(8) ? 2_000 + prng.below(20_000) : 1 + prng.below(300);
      return insert(input, at(input), Buffer.from(unit.repeat(count), 'latin1'));
    },
    // delete a range
    (input) => {
      const from = at(input);
      return replace(input, from, Math.min(input.length, from + 1 + prng.below(64)), Buffer.alloc(0));
    },
    // truncate
    (input) => input.subarray(0, at(input)),
    // duplicate a line (duplicate headers, duplicated start lines)
    (input) => {
      const [start, end] = lineBounds(input, prng.below(Math.max(1, input.length)));
      return insert(input, start, input.subarray(start, end));
    },
    // swap a line with the following one
    (input) => {
      const [s1, e1] = lineBounds(input, prng.below(Math.max(1, input.length)));
      if (e1 >= input.length) return input;
      const [, e2] = lineBounds(input, e1);
      return Buffer.concat([input.subarray(0, s1), input.subarray(e1, e2), input.subarray(s1, e1), input.subarray(e2)]);
    },
    // splice: the head of this input with the tail of another corpus entry
    (input) => {
      const other = corpus[prng.below(corpus.length)]!;
      return Buffer.concat([input.subarray(0, at(input)), other.subarray(prng.below(other.length + 1))]);
    },
    // replace the number after a numeric field name with a boundary value
    (input) => {
      const field = numericFields[prng.below(numericFields.length)]!;
      const found = input.indexOf(field);
      let digit = found === -1 ? prng.below(Math.max(1, input.length)) : found + field.length;
      while (digit < input.length && (input[digit]! < 0x30 || input[digit]! > 0x39)) digit++;
      if (digit >= input.length) return input;
      let end = digit;
      while (end < input.length && input[end]! >= 0x30 && input[end]! <= 0x39) end++;
      return replace(input, digit, end, Buffer.from(BOUNDARY_NUMBERS[prng.below(BOUNDARY_NUMBERS.length)]!, 'latin1'));
    },
  ];

  return {
    next(): Buffer {
      produced++;
      let input = corpus[prng.below(corpus.length)]!;
      const count = 1 + prng.below(maxMutations);
      for (let i = 0; i < count; i++) {
        input = mutations[prng.below(mutations.length)]!(input, prng, corpus);
        if (input.length > maxLength) input = input.subarray(0, maxLength);
      }
      // Always hand out a private copy: callers may keep or modify it.
      return Buffer.from(input);
    },
    get produced() {
      return produced;
    },
  };
}
