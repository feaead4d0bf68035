// One error type for everything certs/ refuses to do, so the CLI can print it as an
// operator message (which file, what is wrong with it) instead of a stack trace.

export class CertificateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CertificateError';
  }
}

export function errorReason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
