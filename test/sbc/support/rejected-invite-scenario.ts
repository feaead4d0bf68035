// A SIPp caller scenario that sends one INVITE and expects one final status (ACKing it),
// written to a file at test time so each test states the status, offer and User-Agent.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface RejectedInviteOptions {
  status: number;
  dir: string;
  userAgent?: string;
  /** m= line profile of the offer. */
  profile?: 'RTP/AVP' | 'RTP/SAVP';
  /** Payload types offered (all get an rtpmap). */
  payloadTypes?: string;
  /** Send the INVITE without an SDP offer. */
  noOffer?: boolean;
  /** A header of the final response that must be present. */
  requireHeader?: string;
}

const RTPMAP: Record<string, string> = { '0': 'PCMU/8000', '8': 'PCMA/8000', '9': 'G722/8000', '18': 'G729/8000', '101': 'telephone-event/8000' };

export async function writeRejectedInviteScenario(options: RejectedInviteOptions): Promise<string> {
  const payloadTypes = options.payloadTypes ?? '0 8 101';
  const rtpmaps = payloadTypes.split(' ').map((pt) => `      a=rtpmap:${pt} ${RTPMAP[pt] ?? 'PCMU/8000'}`).join('\n');
  const crypto = options.profile === 'RTP/SAVP' ? '\n      a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz' : '';
  const check = options.requireHeader !== undefined
    ? `\n    <action><ereg regexp=".*" search_in="hdr" header="${options.requireHeader}:" check_it="true" assign_to="seen"/></action>`
    : '';
  const xml = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="INVITE expecting ${options.status}">
  <send start_txn="invite">
    <![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
      Max-Forwards: 70
      From: "Caller" <sip:15550001111@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:15550001111@[local_ip]:[local_port];transport=[transport]>
      User-Agent: ${options.userAgent ?? 'SIPp carrier'}
${options.noOffer ? '      Content-Length: 0\n' : `      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=caller 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] ${options.profile ?? 'RTP/AVP'} ${payloadTypes}
${rtpmaps}${crypto}
      a=sendrecv
`}
    ]]>
  </send>
  <recv response="100" optional="true" response_txn="invite"/>
  <recv response="${options.status}" response_txn="invite">${check}
  </recv>
  <send ack_txn="invite">
    <![CDATA[
      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      [last_Via:]
      Max-Forwards: 70
      From: "Caller" <sip:15550001111@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      [last_To:]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Content-Length: 0

    ]]>
  </send>${options.requireHeader !== undefined ? '\n  <Reference variables="seen"/>' : ''}
</scenario>
`;
  const file = join(options.dir, `invite-expect-${options.status}-${Math.random().toString(36).slice(2)}.xml`);
  await writeFile(file, xml);
  return file;
}
