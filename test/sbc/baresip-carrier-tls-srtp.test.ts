// The product's first call path with real peers: baresip as a carrier on 127.0.0.2 over
// TLS with SDES-SRTP, through the engine, the SBC and rtpengine, to a baresip stand-in
// core on plain RTP. Tones both ways, a carrier-side capture with no readable RTP, both
// hang-up directions and CANCEL; rtpengine back to 0 sessions after each.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBaresip, type BaresipInstance } from '../support/baresip.js';
import { createTestPki, type TestPki } from '../support/test-certs.js';
import { dominantTone, tonePower, wavSamples } from '../support/tone-detect.js';
import type { CdrRecord } from '../../edge/sbc/call/cdr-writer.js';
import { startTestEdge, stopTestEdgeWithNoCallsLeft, type TestEdge } from './support/sbc-harness.js';
import type { MediaStreamState } from '../../media/session/media-anchor.js';
import { captureFields, startLoopbackCapture } from './support/loopback-capture.js';
import { mulawSamples } from './support/mulaw.js';
import { sourceNatToPort, type SourceNat } from './support/tcp-source-nat.js';
import { startStandInCore, type RunningStandInCore } from '../../edge/sbc/stand-in-core/stand-in-core.js';
import { freePort } from '../support/free-port.js';

const CARRIER_TONE = 1000;
const CORE_TONE = 440;
const workDir = mkdtempSync(join(tmpdir(), 'vpop-sbc-e2e-'));
let pki: TestPki;
beforeAll(async () => { pki = await createTestPki(); });
afterAll(async () => {
  await pki?.cleanup();
  rmSync(workDir, { recursive: true, force: true });
});

describe('carrier over TLS + SDES-SRTP to a plain-RTP stand-in core', () => {
  let edge: TestEdge | undefined;
  let carrier: BaresipInstance | undefined;
  let core: BaresipInstance | undefined;
  let nat: SourceNat | undefined;
  afterEach(async () => {
    await Promise.all([carrier?.stop(), core?.stop()]);
    carrier = core = undefined;
    await nat?.remove();
    nat = undefined;
    await stopTestEdgeWithNoCallsLeft(edge);
    edge = undefined;
  });

  async function setUp(coreAnswers: 'auto' | 'manual'): Promise<{ edge: TestEdge; carrier: BaresipInstance; core: BaresipInstance }> {
    const coreCert = await pki.issue({ commonName: 'core.test', ipAddresses: ['127.0.0.1'] });
    core = await startBaresip({ address: '127.0.0.1', certificateAndKeyPem: coreCert.certPem + coreCert.keyPem, caFile: pki.ca.certFile, toneHz: CORE_TONE });
    expect((await core.addAccount(`<sip:18005550100@127.0.0.1>;answermode=${coreAnswers};regint=0`)).ok).toBe(true);
    edge = await startTestEdge({ corePort: core.sipPort });
    nat = await sourceNatToPort(edge.tlsPort, '127.0.0.2');
    const carrierCert = await pki.issue({ commonName: 'carrier.test', ipAddresses: ['127.0.0.2'] });
    carrier = await startBaresip({ address: '127.0.0.2', certificateAndKeyPem: carrierCert.certPem + carrierCert.keyPem, caFile: pki.ca.certFile, toneHz: CARRIER_TONE });
    expect((await carrier.addAccount('<sip:+15550001111@127.0.0.2;transport=tls>;mediaenc=srtp-mand;answermode=manual;regint=0')).ok).toBe(true);
    return { edge, carrier, core };
  }

  async function heardTone(instance: BaresipInstance): Promise<{ frequency: number; ratio: number }> {
    const [recording] = await instance.decodedRecordings();
    expect(recording, `no recording in ${instance.recordingDir}`).toBeDefined();
    return dominantTone(wavSamples(await readFile(recording!)), 8000, [CARRIER_TONE, CORE_TONE]);
  }

  it('carries audio both ways, shows the carrier only TLS and SRTP, and the carrier hangs up', async () => {
    const { edge, carrier, core } = await setUp('auto');
    const captureFile = join(workDir, 'carrier-side.pcapng');
    let carrierLeg: MediaStreamState | undefined;
    // Only this call's carrier-side traffic (its TLS connections, this rtpengine's ports):
    // other test files running at the same time also send plain SIP from 127.0.0.2.
    const capture = await startLoopbackCapture(captureFile, `(host 127.0.0.2 and (tcp port ${edge.tlsPort} or tcp port ${carrier.tlsPort})) or udp portrange ${edge.rtpengine.portMin}-${edge.rtpengine.portMax}`);
    try {
      const established = carrier.waitForEvent('CALL_ESTABLISHED', 10_000);
      const encrypted = carrier.waitForEvent('CALL_MENC', 10_000);
      const coreEstablished = core.waitForEvent('CALL_ESTABLISHED', 10_000);
      expect((await carrier.dial(`sip:18005550100@127.0.0.1:${edge.tlsPort}`)).ok).toBe(true);
      await Promise.all([established, coreEstablished]);
      expect((await encrypted).param).toMatch(/AES_CM_128_HMAC_SHA1_80/);
      const [callId] = await edge.probe.callIds();
      expect(callId).toBeDefined();
      await new Promise((resolve) => setTimeout(resolve, 2500));
      const state = await edge.probe.query({ callId: callId! });
      carrierLeg = state?.streams.find((stream) => stream.protocol === 'RTP/SAVP' && !stream.rtcp);
      const coreClosed = core.waitForEvent('CALL_CLOSED', 10_000);
      await carrier.hangup();
      await coreClosed;
    } finally {
      await capture.stop();
    }
    await Promise.all([carrier.stop(), core.stop()]);
    expect(await heardTone(carrier)).toMatchObject({ frequency: CORE_TONE });
    expect((await heardTone(carrier)).ratio).toBeGreaterThan(10);
    expect(await heardTone(core)).toMatchObject({ frequency: CARRIER_TONE });
    expect((await heardTone(core)).ratio).toBeGreaterThan(10);

    // Signalling: TLS records only, no SIP in clear.
    const asTls = [`tcp.port==${edge.tlsPort},tls`, `tcp.port==${carrier.tlsPort},tls`];
    expect(await captureFields(captureFile, ['frame.number', 'ip.src', 'ip.dst', '_ws.col.Info'], 'sip', asTls)).toEqual([]);
    expect((await captureFields(captureFile, ['frame.number'], 'tls.handshake.type == 1', asTls)).length).toBeGreaterThan(0);
    expect((await captureFields(captureFile, ['frame.number'], 'tls.app_data', asTls)).length).toBeGreaterThan(0);
    // Media: the carrier leg (rtpengine's SRTP port <-> the carrier's RTP port, as rtpengine
    // reports it), decoded as RTP: every packet carries SRTP (an 80-bit tag after 160
    // bytes of payload) and its payload is no readable mu-law tone.
    expect(carrierLeg).toMatchObject({ cryptoSuite: 'AES_CM_128_HMAC_SHA1_80' });
    const { localPort, remotePort } = carrierLeg!;
    const rtp = await captureFields(captureFile, ['udp.length', 'rtp.payload'],
      `udp.port == ${localPort} && udp.port == ${remotePort} && rtp.p_type == 0`, [`udp.port==${localPort},rtp`]);
    expect(rtp.length).toBeGreaterThan(100);
    expect([...new Set(rtp.map(([length]) => Number(length)))]).toEqual([8 + 12 + 160 + 10]);
    const payloads = rtp.map(([, payload]) => Buffer.from((payload ?? '').replace(/:/g, ''), 'hex'));
    const samples = mulawSamples(payloads);
    // Against the median power over the voice band, a readable tone stands out by orders of
    // magnitude; ciphertext is flat noise.
    const band = Array.from({ length: 13 }, (_, i) => tonePower(samples, 8000, 330 + i * 250)).sort((a, b) => a - b);
    const median = band[6]!;
    expect(tonePower(samples, 8000, CARRIER_TONE) / median).toBeLessThan(20);
    expect(tonePower(samples, 8000, CORE_TONE) / median).toBeLessThan(20);

    const metrics = await edge.registry.metrics();
    expect(metrics).toContain('vpop_sbc_call_answers_total{trunk="loopback-carrier",direction="inbound"} 1');
    // The CDR names what a telecom engineer asks first: where from, over what, which codec and SRTP suite, who hung up.
    const stop = readFileSync(edge.cdrFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as CdrRecord)
      .find((record) => record.event === 'stop');
    expect(stop).toMatchObject({
      sourceAddress: '127.0.0.2', transport: 'tls', codec: 'PCMU', srtpSuite: 'AES_CM_128_HMAC_SHA1_80',
      resultCode: 200, cause: 'normal-clearing', q850: 16, endedBy: 'caller',
    });
    expect(stop?.bLegCallId).toMatch(/.+/);
    expect(stop?.bLegCallId).not.toBe(stop?.callId);
  });

  it('hangs up from the core side', async () => {
    const { edge, carrier, core } = await setUp('auto');
    const established = carrier.waitForEvent('CALL_ESTABLISHED', 10_000);
    const coreEstablished = core.waitForEvent('CALL_ESTABLISHED', 10_000);
    expect((await carrier.dial(`sip:18005550100@127.0.0.1:${edge.tlsPort}`)).ok).toBe(true);
    await Promise.all([established, coreEstablished]);
    const carrierClosed = carrier.waitForEvent('CALL_CLOSED', 10_000);
    await core.hangup();
    await carrierClosed;
    await expect.poll(() => edge.probe.activeCalls()).toBe(0);
  });

  it('propagates the carrier\'s CANCEL while the core rings', async () => {
    const { edge, carrier, core } = await setUp('manual');
    const incoming = core.waitForEvent('CALL_INCOMING', 10_000);
    const ringing = carrier.waitForEvent('CALL_RINGING', 10_000);
    expect((await carrier.dial(`sip:18005550100@127.0.0.1:${edge.tlsPort}`)).ok).toBe(true);
    await incoming;
    await ringing;
    expect(await edge.probe.activeCalls()).toBe(1);
    const coreClosed = core.waitForEvent('CALL_CLOSED', 10_000);
    await carrier.hangup();
    await coreClosed;
    await expect.poll(() => edge.probe.activeCalls()).toBe(0);
  });

  it('answers a plain-RTP offer from the SRTP-required carrier with 488', async () => {
    const { edge, carrier } = await setUp('auto');
    await carrier.command('uadel', 'sip:+15550001111@127.0.0.2');
    expect((await carrier.addAccount('<sip:plain@127.0.0.2;transport=tls>;answermode=manual;regint=0')).ok).toBe(true);
    const closed = carrier.waitForEvent('CALL_CLOSED', 10_000);
    expect((await carrier.dial(`sip:18005550100@127.0.0.1:${edge.tlsPort}`)).ok).toBe(true);
    expect((await closed).param).toMatch(/^488/);
  });

  it('reaches the stand-in core, which echoes: the carrier hears its own tone over SRTP', async () => {
    const corePort = await freePort();
    const standIn: RunningStandInCore = await startStandInCore({ address: '127.0.0.1', port: corePort, allow: ['127.0.0.1/32'] });
    try {
      edge = await startTestEdge({ corePort });
      nat = await sourceNatToPort(edge.tlsPort, '127.0.0.2');
      const carrierCert = await pki.issue({ commonName: 'carrier.test', ipAddresses: ['127.0.0.2'] });
      carrier = await startBaresip({ address: '127.0.0.2', certificateAndKeyPem: carrierCert.certPem + carrierCert.keyPem, caFile: pki.ca.certFile, toneHz: CARRIER_TONE });
      await carrier.addAccount('<sip:+15550001111@127.0.0.2;transport=tls>;mediaenc=srtp-mand;answermode=manual;regint=0');
      const established = carrier.waitForEvent('CALL_ESTABLISHED', 10_000);
      expect((await carrier.dial(`sip:18005550100@127.0.0.1:${edge.tlsPort}`)).ok).toBe(true);
      await established;
      await new Promise((resolve) => setTimeout(resolve, 2000));
      await carrier.hangup();
      await carrier.stop();
      const heard = await heardTone(carrier);
      expect(heard.frequency).toBe(CARRIER_TONE);
      expect(heard.ratio).toBeGreaterThan(10);
    } finally {
      await standIn.stop();
    }
  });
});
