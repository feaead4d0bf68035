import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baresipConfig, startBaresip, type BaresipInstance } from './baresip.js';
import { createTestPki, type TestPki } from './test-certs.js';
import { dominantTone, wavSamples } from './tone-detect.js';

describe('baresipConfig', () => {
  it('writes unique listeners, certificate, file audio and recording settings', () => {
    const config = baresipConfig({
      address: '127.0.0.2', sipPort: 5070, controlPort: 4500, rtpPorts: [20000, 20199], certificateFile: '/d/cert.pem',
      caFile: '/d/ca.pem', audioSource: '/d/tone.wav', recordingDir: '/d/rec', id: 'a',
    });
    expect(config).toContain('sip_listen 127.0.0.2:5070\n');
    expect(config).toContain('ctrl_tcp_listen 127.0.0.1:4500\n');
    expect(config).toContain('sip_certificate /d/cert.pem\n');
    expect(config).toContain('sip_cafile /d/ca.pem\n');
    expect(config).toContain('audio_source aufile,/d/tone.wav\n');
    expect(config).toContain('snd_path /d/rec\n');
    expect(config).toContain('net_interface 127.0.0.2\n');
    expect(config).not.toMatch(/stdio\.so|alsa\.so/);
  });
});

// Two baresip instances on distinct loopback addresses: 127.0.0.2 (a carrier, tone 1000 Hz)
// calls 127.0.0.3 (a phone, tone 440 Hz) over TLS with mandatory SDES-SRTP.
describe('baresip to baresip over TLS with SRTP', () => {
  let pki: TestPki;
  let caller: BaresipInstance | undefined;
  let callee: BaresipInstance | undefined;
  beforeAll(async () => {
    pki = await createTestPki();
  });
  afterAll(async () => {
    await Promise.all([caller?.stop(), callee?.stop()]);
    await pki.cleanup();
  });

  it('establishes an encrypted call and each side records the other side\'s tone', async () => {
    const callerCert = await pki.issue({ commonName: 'carrier.test', ipAddresses: ['127.0.0.2'] });
    const calleeCert = await pki.issue({ commonName: 'phone.test', ipAddresses: ['127.0.0.3'] });
    caller = await startBaresip({ address: '127.0.0.2', certificateAndKeyPem: callerCert.certPem + callerCert.keyPem, caFile: pki.ca.certFile, toneHz: 1000 });
    callee = await startBaresip({ address: '127.0.0.3', certificateAndKeyPem: calleeCert.certPem + calleeCert.keyPem, caFile: pki.ca.certFile, toneHz: 440 });
    expect((await caller.addAccount('<sip:carrier@127.0.0.2;transport=tls>;mediaenc=srtp-mand;answermode=manual;regint=0')).ok).toBe(true);
    expect((await callee.addAccount('<sip:phone@127.0.0.3;transport=tls>;mediaenc=srtp-mand;answermode=manual;regint=0')).ok).toBe(true);

    const calleeEstablished = callee.waitForEvent('CALL_ESTABLISHED', 10_000);
    const calleeEncrypted = callee.waitForEvent('CALL_MENC', 10_000);
    const callerEstablished = caller.waitForEvent('CALL_ESTABLISHED', 10_000);
    const callerEncrypted = caller.waitForEvent('CALL_MENC', 10_000);
    const incoming = callee.waitForEvent('CALL_INCOMING', 10_000);
    expect((await caller.dial(`sip:phone@127.0.0.3:${callee.tlsPort}`)).ok).toBe(true);
    await incoming;
    expect((await callee.accept()).ok).toBe(true);
    await Promise.all([callerEstablished, calleeEstablished]);
    expect((await callerEncrypted).param).toMatch(/AES_CM_128_HMAC_SHA1_80/);
    expect((await calleeEncrypted).param).toMatch(/AES_CM_128_HMAC_SHA1_80/);

    await new Promise((resolve) => setTimeout(resolve, 2000));
    const closed = callee.waitForEvent('CALL_CLOSED', 10_000);
    await caller.hangup();
    await closed;
    await Promise.all([caller.stop(), callee.stop()]);

    const [callerHeard] = await caller.decodedRecordings();
    const [calleeHeard] = await callee.decodedRecordings();
    expect(callerHeard, `no recording in ${caller.recordingDir}`).toBeDefined();
    expect(calleeHeard, `no recording in ${callee.recordingDir}`).toBeDefined();
    const callerTone = dominantTone(wavSamples(await readFile(callerHeard!)), 8000, [1000, 440]);
    const calleeTone = dominantTone(wavSamples(await readFile(calleeHeard!)), 8000, [1000, 440]);
    expect(callerTone.frequency).toBe(440);
    expect(callerTone.ratio).toBeGreaterThan(10);
    expect(calleeTone.frequency).toBe(1000);
    expect(calleeTone.ratio).toBeGreaterThan(10);
    await Promise.all([caller.remove(), callee.remove()]);
  });
});
