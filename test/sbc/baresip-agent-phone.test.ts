// An agent's baresip phone on 127.0.0.5 registers at the edge with digest auth; the
// routing core (a baresip stand-in on 127.0.0.1) asks for an outbound leg to the agent,
// the edge rings the phone and audio flows both ways through rtpengine.
import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBaresip, type BaresipInstance } from '../support/baresip.js';
import { createTestPki, type TestPki } from '../support/test-certs.js';
import { dominantTone, wavSamples } from '../support/tone-detect.js';
import { waitUntil } from '../support/wait-until.js';
import { startTestEdge, stopTestEdgeWithNoCallsLeft, type TestEdge } from './support/sbc-harness.js';

const CORE_TONE = 440;
const PHONE_TONE = 1000;
let pki: TestPki;
beforeAll(async () => { pki = await createTestPki(); });
afterAll(async () => { await pki?.cleanup(); });

describe('agent phone registration and outbound legs', () => {
  let edge: TestEdge | undefined;
  const peers: BaresipInstance[] = [];
  afterEach(async () => {
    await Promise.all(peers.map((peer) => peer.stop()));
    peers.length = 0;
    await stopTestEdgeWithNoCallsLeft(edge);
    edge = undefined;
  });

  async function peer(address: string, toneHz: number): Promise<BaresipInstance> {
    const cert = await pki.issue({ commonName: `peer-${address}`, ipAddresses: [address] });
    const instance = await startBaresip({ address, certificateAndKeyPem: cert.certPem + cert.keyPem, caFile: pki.ca.certFile, toneHz });
    peers.push(instance);
    return instance;
  }

  it('refuses a wrong password with 403, and gives a carrier\'s address on the phones\' listener silence', async () => {
    edge = await startTestEdge();
    const phone = await peer('127.0.0.5', PHONE_TONE);
    const failed = phone.waitForEvent('REGISTER_FAIL', 10_000);
    await phone.addAccount(`<sip:agent7@127.0.0.1:${edge.phonesPort}>;auth_pass=not-the-password;answermode=auto;regint=60`);
    expect((await failed).param).toMatch(/^40[13]/);
    const stranger = await peer('127.0.0.4', PHONE_TONE);
    const dropped = async (): Promise<boolean> => /vpop_engine_allowlist_drops_total\{listener="phones-udp",transport="udp"\} [1-9]/
      .test(await edge!.engine.registry.metrics());
    await stranger.addAccount(`<sip:agent8@127.0.0.1:${edge.phonesPort}>;auth_pass=agent8-local;answermode=auto;regint=60`);
    await waitUntil(dropped, 'the phones\' listener drops the carrier address\'s REGISTER');
    expect(await edge.sbc.registrar?.count()).toBe(0);
  });

  it('registers the phone, rings it for the core\'s outbound leg with audio both ways, and gives 480 for an unregistered agent', async () => {
    edge = await startTestEdge();
    const phone = await peer('127.0.0.5', PHONE_TONE);
    const registered = phone.waitForEvent('REGISTER_OK', 10_000);
    await phone.addAccount(`<sip:agent7@127.0.0.1:${edge.phonesPort}>;auth_pass=agent7-local;answermode=auto;regint=60`);
    await registered;
    expect(await edge.sbc.registrar?.lookup('agent7')).toMatchObject({ sourceAddress: '127.0.0.5' });
    expect(await edge.registry.metrics()).toContain('vpop_sbc_phone_registrations 1');

    const core = await peer('127.0.0.1', CORE_TONE);
    expect((await core.addAccount('<sip:core@127.0.0.1>;answermode=manual;regint=0')).ok).toBe(true);
    const unregisteredClosed = core.waitForEvent('CALL_CLOSED', 10_000);
    await core.dial(`sip:agent8@127.0.0.1:${edge.coreListenerPort}`);
    expect((await unregisteredClosed).param).toMatch(/^480/);

    const phoneEstablished = phone.waitForEvent('CALL_ESTABLISHED', 10_000);
    const coreEstablished = core.waitForEvent('CALL_ESTABLISHED', 10_000);
    await core.dial(`sip:agent7@127.0.0.1:${edge.coreListenerPort}`);
    await Promise.all([phoneEstablished, coreEstablished]);
    expect(await edge.probe.activeCalls()).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const phoneClosed = phone.waitForEvent('CALL_CLOSED', 10_000);
    await core.hangup();
    await phoneClosed;
    await Promise.all([phone.stop(), core.stop()]);

    const [phoneHeard] = await phone.decodedRecordings();
    const coreRecordings = await core.decodedRecordings();
    const coreHeard = coreRecordings[coreRecordings.length - 1];
    expect(dominantTone(wavSamples(await readFile(phoneHeard!)), 8000, [CORE_TONE, PHONE_TONE])).toMatchObject({ frequency: CORE_TONE });
    expect(dominantTone(wavSamples(await readFile(coreHeard!)), 8000, [CORE_TONE, PHONE_TONE])).toMatchObject({ frequency: PHONE_TONE });
    expect(await edge.registry.metrics()).toContain('vpop_sbc_call_answers_total{trunk="phones",direction="outbound"} 1');
  });

  it('ends the core\'s leg when the agent hangs up the phone', async () => {
    edge = await startTestEdge();
    const phone = await peer('127.0.0.5', PHONE_TONE);
    const registered = phone.waitForEvent('REGISTER_OK', 10_000);
    await phone.addAccount(`<sip:agent7@127.0.0.1:${edge.phonesPort}>;auth_pass=agent7-local;answermode=auto;regint=60`);
    await registered;
    const core = await peer('127.0.0.1', CORE_TONE);
    await core.addAccount('<sip:core@127.0.0.1>;answermode=manual;regint=0');
    const phoneEstablished = phone.waitForEvent('CALL_ESTABLISHED', 10_000);
    const coreEstablished = core.waitForEvent('CALL_ESTABLISHED', 10_000);
    await core.dial(`sip:agent7@127.0.0.1:${edge.coreListenerPort}`);
    await Promise.all([phoneEstablished, coreEstablished]);
    const coreClosed = core.waitForEvent('CALL_CLOSED', 10_000);
    await phone.hangup();
    await coreClosed;
    await expect.poll(() => edge!.probe.activeCalls()).toBe(0);
  });
});
