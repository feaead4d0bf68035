// sip.userAgent: the engine names itself as `Server:` on its responses and `User-Agent:` on
// its requests, and adds nothing when the setting is absent. SIPp, as the carrier, checks
// the headers on the wire (ereg with check_it fails the call on a mismatch).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestEngine, TEST_SECRET, type RunningEngine } from './engine-harness.js';
import { connectSrf, newSrf, type SrfApp } from './srf-app.js';
import { describeSippRun, runSipp } from '../support/sipp.js';
import { freePort } from '../support/free-port.js';
import { TEST_SDP as SDP } from './sdp.js';

const PRODUCT = 'VPOP-edge/1.0';

/** INVITE → 200 (Server checked) → ACK → the app's BYE (User-Agent checked) → 200. */
function carrierScenario(expectPresent: boolean): string {
  // Present: the exact product name must be there. Absent: no such header at all.
  const check = (header: string): string => expectPresent
    ? `<ereg regexp="^ *${PRODUCT.replace(/[./]/g, '\\$&')}$" search_in="hdr" header="${header}:" check_it="true" assign_to="seen"/>`
    : `<ereg regexp="\\n${header}:" search_in="msg" check_it_inverse="true" assign_to="seen"/>`;
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="carrier checking the engine's product name">
  <send retrans="500"><![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:carrier@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:carrier@[local_ip]:[local_port];transport=[transport]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=- 1 1 IN IP4 [local_ip]
      s=-
      c=IN IP4 [local_ip]
      t=0 0
      m=audio 6000 RTP/AVP 0
      a=rtpmap:0 PCMU/8000
  ]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="200" rtd="true"><action>${check('Server')}</action></recv>
  <send><![CDATA[
      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:carrier@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      [last_To:]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0
  ]]></send>
  <recv request="BYE"><action>${check('User-Agent')}</action></recv>
  <send><![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0
  ]]></send>
</scenario>
`;
}

describe('sip.userAgent on the wire', () => {
  let running: RunningEngine | undefined;
  let srf: SrfApp | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    srf?.disconnect();
    srf = undefined;
    await running?.stop();
    running = undefined;
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it.each([
    ['set', { userAgent: PRODUCT }],
    ['unset', {}],
  ] as const)('with the setting %s, the carrier sees exactly that on responses and on the BYE', async (label, overrides) => {
    running = await startTestEngine(overrides);
    const app = newSrf();
    srf = app;
    app.invite(((req: unknown, res: unknown) => {
      // Answer, then hang up from the app side so the engine sends a BYE to the carrier.
      app.createUAS(req, res, { localSdp: SDP }).then((dialog) => {
        setTimeout(() => { dialog.destroy().catch(() => undefined); }, 50);
      }, () => undefined);
    }) as never);
    await connectSrf(app, running.controlPort, TEST_SECRET);
    await expect.poll(() => running!.engine.control.routes.appsFor('invite').length).toBe(1);
    dir = await mkdtemp(join(tmpdir(), 'vpop-product-name-'));
    const scenario = join(dir, 'carrier.xml');
    await writeFile(scenario, carrierScenario(label === 'set'));

    const result = await runSipp({
      scenario, target: `127.0.0.1:${running.sipPort}`, localAddress: '127.0.0.1', localPort: await freePort(),
      transport: 'u1', calls: 2, rate: 10, timeoutSeconds: 20, service: '100',
    });
    expect(result.statistics?.successfulCalls, await describeSippRun(`carrier (${label})`, result)).toBe(2);
    expect(result.statistics?.failedCalls).toBe(0);
    await expect.poll(() => running!.engine.ua.dialogs.size).toBe(0);
  });
});
