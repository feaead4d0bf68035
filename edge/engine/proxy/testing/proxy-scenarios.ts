// SIPp scenarios for the proxy tests, written to a temporary directory. The callee
// scenarios echo Record-Route so the caller's ACK and BYE come back through the proxy.

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const HEAD = '<?xml version="1.0" encoding="ISO-8859-1" ?>\n<!DOCTYPE scenario SYSTEM "sipp.dtd">\n';

const response = (status: string, extra = '', body = '') => `
  <send${status.startsWith('1') ? '' : ' retrans="500"'}>
    <![CDATA[
      SIP/2.0 ${status}
      [last_Via:]
      [last_Record-Route:]
      [last_From:]
      [last_To:];tag=[pid]callee[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>${extra}
      Content-Length: [len]
${body}
    ]]>
  </send>`;

const SDP = `
      v=0
      o=callee 1 1 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0
      a=rtpmap:0 PCMU/8000
`;

const request = (firstLine: string, cseq: string, extra = '') => `
    <![CDATA[
      ${firstLine}
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
      ${extra}Max-Forwards: 70
      From: <sip:caller@[local_ip]:[local_port]>;tag=[pid]caller[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: ${cseq}
      Contact: <sip:caller@[local_ip]:[local_port];transport=[transport]>
      Content-Length: 0

    ]]>`;

const INVITE = `
  <send start_txn="invite">${request('INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0', '1 INVITE')}
  </send>
  <recv response="100" optional="true" response_txn="invite"/>`;

export const SCENARIOS = {
  /** Callee: rings, answers, takes ACK and BYE. */
  calleeAnswers: `${HEAD}<scenario name="callee answers">
  <recv request="INVITE" rrs="true"/>${response('180 Ringing')}${response('200 OK', '\n      Content-Type: application/sdp', SDP)}
  <recv request="ACK"/>
  <recv request="BYE"/>${response('200 OK')}
</scenario>`,
  /** Callee: rings until CANCELled, then 200 to the CANCEL and 487 to the INVITE. */
  calleeRingsUntilCancel: `${HEAD}<scenario name="callee rings until cancelled">
  <recv request="INVITE"/>${response('180 Ringing')}
  <recv request="CANCEL"/>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>
  <send retrans="500">
    <![CDATA[
      SIP/2.0 487 Request Terminated
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]callee[call_number]
      [last_Call-ID:]
      CSeq: [last_cseq_number] INVITE
      Content-Length: 0

    ]]>
  </send>
  <recv request="ACK"/>
</scenario>`,
  /** Caller: a full call through the proxy; ACK and BYE follow the recorded route. */
  callerCall: `${HEAD}<scenario name="caller call">${INVITE}
  <recv response="180" optional="true" response_txn="invite"/>
  <recv response="200" response_txn="invite" rrs="true"/>
  <send ack_txn="invite">${request('ACK [next_url] SIP/2.0', '1 ACK', '[routes]\n      ')}
  </send>
  <pause milliseconds="200"/>
  <send start_txn="bye">${request('BYE [next_url] SIP/2.0', '2 BYE', '[routes]\n      ')}
  </send>
  <recv response="200" response_txn="bye"/>
</scenario>`,
  /** Caller: rings, then CANCELs (same Via as the INVITE) and expects 200 (CANCEL) and 487. */
  callerCancels: `${HEAD}<scenario name="caller cancels">${INVITE}
  <recv response="180" response_txn="invite"/>
  <send start_txn="cancel">
    <![CDATA[
      CANCEL sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      [last_Via:]
      Max-Forwards: 70
      From: <sip:caller@[local_ip]:[local_port]>;tag=[pid]caller[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 CANCEL
      Content-Length: 0

    ]]>
  </send>
  <recv response="200" response_txn="cancel"/>
  <recv response="487" response_txn="invite"/>
  <send ack_txn="invite">${request('ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0', '1 ACK')}
  </send>
</scenario>`,
};

/** Callee: rejects the INVITE with `status` (SIPp needs the code in the file, not a variable). */
export function calleeRejects(status: string): string {
  return `${HEAD}<scenario name="callee rejects ${status}">
  <recv request="INVITE"/>${response(status)}
  <recv request="ACK"/>
</scenario>`;
}

/** Caller expecting a given final failure status (then ACKs it). */
export function callerExpects(status: number): string {
  return `${HEAD}<scenario name="caller expects ${status}">${INVITE}
  <recv response="180" optional="true" response_txn="invite"/>
  <recv response="${status}" response_txn="invite"/>
  <send ack_txn="invite">${request('ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0', '1 ACK')}
  </send>
</scenario>`;
}

export async function writeScenarios(files: Record<string, string>): Promise<Record<string, string>> {
  const dir = await mkdtemp(join(tmpdir(), 'vpop-proxy-scenarios-'));
  const paths: Record<string, string> = {};
  for (const [name, xml] of Object.entries(files)) {
    paths[name] = join(dir, `${name}.xml`);
    await writeFile(paths[name], xml);
  }
  return paths;
}
