// TLS through the engine with baresip (Debian's SIPp has no TLS): a carrier on 127.0.0.2
// calls over TLS with mandatory SDES-SRTP, the drachtio-srf B2BUA app bridges the call
// through the engine to a phone on 127.0.0.3 over TLS, and each side hears the other's tone.
// Both hang-up directions; the engine's gauges return to 0.
import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AllowList } from '../../edge/engine/allow-list/allow-list.js';
import { SipEngine } from '../../edge/engine/engine.js';
import { start as startB2bua } from '../apps/b2bua-app.js';
import type { RunningApp } from '../apps/app-options.js';
import { startBaresip, type BaresipInstance } from '../support/baresip.js';
import { freePort } from '../support/free-port.js';
import { createTestPki, type TestPki } from '../support/test-certs.js';
import { dominantTone, wavSamples } from '../support/tone-detect.js';
import { LINGER_TIMERS } from '../engine/engine-harness.js';
import { expectGaugeToReachZero } from './engine-gauges.js';

const SECRET = 'cymru';
const CARRIER_TONE = 1000;
const PHONE_TONE = 440;

describe('baresip over TLS + SRTP through the engine and the B2BUA app', () => {
  let pki: TestPki;
  let engine: SipEngine | undefined;
  let app: RunningApp | undefined;
  let carrier: BaresipInstance | undefined;
  let phone: BaresipInstance | undefined;
  beforeAll(async () => {
    pki = await createTestPki();
  });
  afterAll(async () => {
    await pki.cleanup();
  });
  afterEach(async () => {
    await Promise.all([carrier?.stop(), phone?.stop()]);
    carrier = phone = undefined;
    app?.stop();
    app = undefined;
    await engine?.stop();
    engine = undefined;
  });

  async function setUp(): Promise<{ engine: SipEngine; tlsPort: number; carrier: BaresipInstance; phone: BaresipInstance }> {
    const engineCert = await pki.issue({ commonName: 'engine.test', ipAddresses: ['127.0.0.1'] });
    const carrierCert = await pki.issue({ commonName: 'carrier.test', ipAddresses: ['127.0.0.2'] });
    const phoneCert = await pki.issue({ commonName: 'phone.test', ipAddresses: ['127.0.0.3'] });
    carrier = await startBaresip({ address: '127.0.0.2', certificateAndKeyPem: carrierCert.certPem + carrierCert.keyPem, caFile: pki.ca.certFile, toneHz: CARRIER_TONE });
    phone = await startBaresip({ address: '127.0.0.3', certificateAndKeyPem: phoneCert.certPem + phoneCert.keyPem, caFile: pki.ca.certFile, toneHz: PHONE_TONE });
    expect((await carrier.addAccount('<sip:+15550001111@127.0.0.2;transport=tls>;mediaenc=srtp-mand;answermode=manual;regint=0')).ok).toBe(true);
    expect((await phone.addAccount('<sip:agent7@127.0.0.3;transport=tls>;mediaenc=srtp-mand;answermode=auto;regint=0')).ok).toBe(true);

    const allowList = new AllowList(['127.0.0.0/8']);
    const tlsPort = await freePort();
    const controlPort = await freePort();
    engine = new SipEngine({
      listeners: [{ name: 'tls', transport: 'tls', address: '127.0.0.1', port: tlsPort, allowList, tls: { certFile: engineCert.certFile, keyFile: engineCert.keyFile } }],
      control: { address: '127.0.0.1', port: controlPort, secret: SECRET },
      tlsClient: { caFile: pki.ca.certFile },
      timers: LINGER_TIMERS,
    });
    await engine.start();
    app = await startB2bua({ host: '127.0.0.1', port: controlPort, secret: SECRET, target: `127.0.0.3:${phone.tlsPort};transport=tls` });
    const running = engine;
    await expect.poll(() => running.control.routes.appsFor('invite').length).toBe(1);
    return { engine, tlsPort, carrier, phone };
  }

  async function heardTone(instance: BaresipInstance): Promise<{ frequency: number; ratio: number }> {
    const [recording] = await instance.decodedRecordings();
    expect(recording, `no recording in ${instance.recordingDir}`).toBeDefined();
    return dominantTone(wavSamples(await readFile(recording!)), 8000, [CARRIER_TONE, PHONE_TONE]);
  }

  for (const hangsUp of ['carrier', 'phone'] as const) {
    it(`bridges an SRTP call both ways and the ${hangsUp} hangs up`, async () => {
      const { engine, tlsPort, carrier, phone } = await setUp();
      const events = {
        carrierEstablished: carrier.waitForEvent('CALL_ESTABLISHED', 10_000),
        carrierEncrypted: carrier.waitForEvent('CALL_MENC', 10_000),
        phoneEstablished: phone.waitForEvent('CALL_ESTABLISHED', 10_000),
        phoneEncrypted: phone.waitForEvent('CALL_MENC', 10_000),
      };
      expect((await carrier.dial(`sip:agent7@127.0.0.1:${tlsPort}`)).ok).toBe(true);
      await Promise.all([events.carrierEstablished, events.phoneEstablished]);
      expect((await events.carrierEncrypted).param).toMatch(/AES_CM_128_HMAC_SHA1_80/);
      expect((await events.phoneEncrypted).param).toMatch(/AES_CM_128_HMAC_SHA1_80/);
      await new Promise((resolve) => setTimeout(resolve, 2000));

      const [hanger, other] = hangsUp === 'carrier' ? [carrier, phone] : [phone, carrier];
      const otherClosed = other.waitForEvent('CALL_CLOSED', 10_000);
      await hanger.hangup();
      await otherClosed;
      await expectGaugeToReachZero(engine.registry, 'vpop_engine_dialogs_active');
      await Promise.all([carrier.stop(), phone.stop()]);

      const carrierHeard = await heardTone(carrier);
      const phoneHeard = await heardTone(phone);
      expect(carrierHeard.frequency).toBe(PHONE_TONE);
      expect(carrierHeard.ratio).toBeGreaterThan(10);
      expect(phoneHeard.frequency).toBe(CARRIER_TONE);
      expect(phoneHeard.ratio).toBeGreaterThan(10);
      await expectGaugeToReachZero(engine.registry, 'vpop_engine_transactions_active');
      await Promise.all([carrier.remove(), phone.remove()]);
    });
  }
});
