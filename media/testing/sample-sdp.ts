// SDP bodies of test peers: an SDES-SRTP carrier offer and plain-RTP offers/answers.
import { randomBytes } from 'node:crypto';

export function sdesKey(): string {
  return randomBytes(30).toString('base64');
}

export function srtpOffer(address: string, port: number, codecs: 'all' | 'pcmu' = 'all'): string {
  const formats = codecs === 'all' ? '0 8 9 18 101' : '0 101';
  return [
    'v=0', `o=carrier 1 1 IN IP4 ${address}`, 's=-', `c=IN IP4 ${address}`, 't=0 0',
    `m=audio ${port} RTP/SAVP ${formats}`,
    'a=rtpmap:0 PCMU/8000', ...(codecs === 'all' ? ['a=rtpmap:8 PCMA/8000', 'a=rtpmap:9 G722/8000', 'a=rtpmap:18 G729/8000'] : []),
    'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-16',
    `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${sdesKey()}`,
    `a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:${sdesKey()}`,
    'a=sendrecv', '',
  ].join('\r\n');
}

export function rtpSdp(address: string, port: number, formats = '0 8 101'): string {
  const names: Record<string, string> = { '0': 'PCMU/8000', '8': 'PCMA/8000', '9': 'G722/8000', '18': 'G729/8000', '101': 'telephone-event/8000' };
  return [
    'v=0', `o=peer 2 2 IN IP4 ${address}`, 's=-', `c=IN IP4 ${address}`, 't=0 0',
    `m=audio ${port} RTP/AVP ${formats}`,
    ...formats.split(' ').map((pt) => `a=rtpmap:${pt} ${names[pt] ?? 'PCMU/8000'}`),
    'a=sendrecv', '',
  ].join('\r\n');
}
