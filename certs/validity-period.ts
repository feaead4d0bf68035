// Validity windows. Certificates start a few minutes in the past so a peer whose clock
// lags slightly does not reject a certificate issued a moment ago.
import { CertificateError } from './certificate-error.js';

const BACKDATE_MS = 5 * 60_000;
const DAY_MS = 86_400_000;
/** About 100 years: beyond that a typo in --days is more likely than a plan. */
const MAX_DAYS = 36_500;

export interface ValidityPeriod {
  notBefore: Date;
  notAfter: Date;
}

export function validityPeriod(now: Date, days: number): ValidityPeriod {
  if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS) {
    throw new CertificateError(`validity must be a whole number of days from 1 to ${MAX_DAYS}, got ${String(days)}`);
  }
  return { notBefore: new Date(now.getTime() - BACKDATE_MS), notAfter: new Date(now.getTime() + days * DAY_MS) };
}
