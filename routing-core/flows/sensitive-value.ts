// A flow variable marked sensitive (card numbers, PINs): held encrypted (AES-256-GCM with
// a key that lives only in this process), so a heap or state dump shows ciphertext; it
// prints as a mask in logs, JSON and util.inspect, and is opened only to evaluate an
// expression or send an HTTP request the flow asks for.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';

const key = randomBytes(32);
export const MASK = '****';

export class SensitiveValue {
  readonly #iv: Buffer;
  readonly #sealed: Buffer;
  readonly #tag: Buffer;

  constructor(value: unknown) {
    this.#iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, this.#iv);
    this.#sealed = Buffer.concat([cipher.update(JSON.stringify(value) ?? 'null', 'utf8'), cipher.final()]);
    this.#tag = cipher.getAuthTag();
  }

  open(): unknown {
    const decipher = createDecipheriv('aes-256-gcm', key, this.#iv);
    decipher.setAuthTag(this.#tag);
    return JSON.parse(Buffer.concat([decipher.update(this.#sealed), decipher.final()]).toString('utf8')) as unknown;
  }

  toJSON(): string {
    return MASK;
  }

  toString(): string {
    return MASK;
  }

  [inspect.custom](): string {
    return MASK;
  }
}

/** Variables as the desktop, logs and reports may see them: sensitive ones masked. */
export function maskedVariables(variables: ReadonlyMap<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [name, value] of variables) result[name] = value instanceof SensitiveValue ? MASK : value;
  return result;
}

/** Variables with sensitive ones opened: only for evaluating the flow's own expressions. */
export function openVariables(variables: ReadonlyMap<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [name, value] of variables) result[name] = value instanceof SensitiveValue ? value.open() : value;
  return result;
}
