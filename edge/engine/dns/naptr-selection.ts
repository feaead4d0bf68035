// RFC 3263 §4.1: which NAPTR records a SIP client may follow, in what order, and
// which transport each one implies.

import type { SipTransport } from './sip-server-target.js';

export interface NaptrRecord {
  flags: string;
  service: string;
  regexp: string;
  replacement: string;
  order: number;
  preference: number;
}

export interface NaptrService {
  transport: SipTransport;
  /** The SRV owner name to query next (the NAPTR replacement). */
  srvName: string;
}

// RFC 3263 §4.1 service fields; SCTP (D2S) is recognised but we have no SCTP transport.
const SERVICE_TRANSPORTS: Record<string, SipTransport | 'sctp'> = {
  'SIP+D2U': 'udp',
  'SIP+D2T': 'tcp',
  'SIP+D2S': 'sctp',
  'SIPS+D2T': 'tls',
  'SIPS+D2S': 'sctp',
};

/**
 * Filter and order NAPTR records for a SIP(S) URI: only terminal "s" records with an
 * empty regexp, a service we support and (for sips) TLS only; sorted by order then
 * preference.
 */
export function selectNaptrServices(
  records: readonly NaptrRecord[],
  secure: boolean,
  supported: readonly SipTransport[],
): NaptrService[] {
  return records
    .filter((record) => record.flags.toLowerCase() === 's' && record.regexp === '' && record.replacement !== '')
    .map((record) => ({ record, transport: SERVICE_TRANSPORTS[record.service.toUpperCase()] }))
    .filter(
      (entry): entry is { record: NaptrRecord; transport: SipTransport } =>
        entry.transport !== undefined &&
        entry.transport !== 'sctp' &&
        supported.includes(entry.transport) &&
        (!secure || entry.transport === 'tls'),
    )
    .sort((a, b) => a.record.order - b.record.order || a.record.preference - b.record.preference)
    .map(({ record, transport }) => ({ transport, srvName: record.replacement.replace(/\.$/, '') }));
}
