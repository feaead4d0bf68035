// The names a certificate is for: a subject and the subjectAltName entries that TLS
// clients actually check (RFC 6125: the CN is ignored once SANs are present).
import ipaddr from 'ipaddr.js';
import { ipLiteralFamily } from '../platform/config/ip-literal.js';
import { CertificateError } from './certificate-error.js';

export interface CertificateNames {
  commonName: string;
  organization?: string;
  /** DNS subjectAltNames, lower case. */
  dnsNames: readonly string[];
  /** IP subjectAltNames, IPv4 or IPv6, in their compressed text form. */
  ipAddresses: readonly string[];
}

const dnsName = /^(\*\.)?(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** Names checked and normalised (lower-case DNS, compressed IPs, no duplicates); throws CertificateError. */
export function normaliseCertificateNames(names: CertificateNames): CertificateNames {
  const commonName = names.commonName.trim();
  if (commonName === '' || commonName.length > 64) {
    throw new CertificateError(`common name must be 1-64 characters, got ${JSON.stringify(names.commonName)}`);
  }
  const organization = names.organization?.trim();
  return {
    commonName,
    ...(organization ? { organization } : {}),
    dnsNames: normaliseDnsNames(names.dnsNames),
    ipAddresses: normaliseIpAddresses(names.ipAddresses),
  };
}

export function normaliseDnsNames(names: readonly string[]): string[] {
  return unique(names.map((name) => {
    const lower = name.trim().toLowerCase();
    if (!dnsName.test(lower)) throw new CertificateError(`"${name}" is not a DNS name for a certificate`);
    return lower;
  }));
}

export function normaliseIpAddresses(addresses: readonly string[]): string[] {
  return unique(addresses.map((address) => {
    const text = address.trim();
    if (!ipLiteralFamily(text)) throw new CertificateError(`"${address}" is not an IPv4 (dotted quad) or IPv6 address`);
    return ipaddr.parse(text).toString();
  }));
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
