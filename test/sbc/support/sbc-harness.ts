// The whole edge on free loopback ports for end-to-end tests: a real rtpengine, the SIP
// engine with UDP/TCP/TLS listeners, and the SBC app connected to it, all from one test
// POP config shaped like configs/pops/local.yaml.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { SipEngine } from '../../../edge/engine/engine.js';
import { optionsFromPop } from '../../../edge/engine/engine-options.js';
import { startSbc, type RunningSbc } from '../../../edge/sbc/sbc-app.js';
import { JsonlCdrWriter } from '../../../edge/sbc/call/cdr-writer.js';
import { startTestRtpengine, type TestRtpengine } from '../../../media/testing/test-rtpengine.js';
import { RtpengineAnchor } from '../../../media/session/rtpengine-anchor.js';
import { popConfigSchema, type PopConfig, type PopConfigInput } from '../../../platform/config/pop-schema.js';
import { pino } from 'pino';
import { expect } from 'vitest';
import { freePort } from '../../support/free-port.js';
import { createTestPki, type TestPki, type TestCertificate } from '../../support/test-certs.js';

export interface TestEdge {
  pop: PopConfig;
  engine: SipEngine;
  sbc: RunningSbc;
  rtpengine: TestRtpengine;
  /** A second anchor client for checks (session counts). */
  probe: RtpengineAnchor;
  pki: TestPki;
  popCertificate: TestCertificate;
  sipPort: number;
  tlsPort: number;
  /** The phones' listener (UDP and TCP): agents' phones register and are called here. */
  phonesPort: number;
  /** The stand-in routing core's port on 127.0.0.1 (UDP). */
  corePort: number;
  /** The edge's internal listener for the core (UDP on 127.0.0.1): the core's requests go here. */
  coreListenerPort: number;
  stateDir: string;
  registry: Registry;
  cdrFile: string;
  stop(): Promise<void>;
}

export interface TestEdgeOptions {
  /** Media ports of the test rtpengine (each anchored call takes four). */
  mediaPorts?: number;
  /** Gateway OPTIONS ping interval of the SBC. */
  gatewayPingIntervalMs?: number;
  /** Port of the stand-in routing core on 127.0.0.1 (UDP); a free port when omitted. */
  corePort?: number;
  /**
   * Client certificates on the TLS listener (CA: the harness PKI): 'request' asks for one
   * and reports it when verified; 'require' also closes connections without a valid one.
   */
  clientCertificates?: 'request' | 'require';
  /**
   * The edge<->core link: 'udp' (default; plain on loopback, so SIPp can play the core) or
   * 'tls' (mutual TLS: the edge's certificate and the core's identity CN=core.test, both
   * from the harness PKI; the core's sipUri becomes sips:).
   */
  coreLink?: 'udp' | 'tls';
  /** Trunk overrides by name. */
  trunks?: Partial<Record<'loopback-carrier' | 'loopback-plain', Partial<PopConfigInput['trunks'] extends (infer T)[] | undefined ? T : never>>>;
}

export async function startTestEdge(options: TestEdgeOptions = {}): Promise<TestEdge> {
  const stateDir = mkdtempSync(join(tmpdir(), 'vpop-sbc-test-'));
  const pki = await createTestPki();
  const coreLink = options.coreLink ?? 'udp';
  // On a TLS link the POP certificate is the edge's client certificate toward the core as well.
  const popCertificate = await pki.issue({ commonName: 'pop.local.vpop', usage: coreLink === 'tls' ? 'both' : 'server', ipAddresses: ['127.0.0.1'] });
  const rtpengine = await startTestRtpengine(options.mediaPorts);
  const sipPort = await freePort();
  const tlsPort = await freePort();
  const corePort = options.corePort ?? await freePort();
  const phonesPort = await freePort();
  const coreListenerPort = await freePort();
  const pop = popConfigSchema.parse({
    pop: { id: 'sbc-test', region: 'loopback' },
    sip: {
      listeners: [
        { name: 'udp', transport: 'udp', address: '127.0.0.1', port: sipPort },
        { name: 'tcp', transport: 'tcp', address: '127.0.0.1', port: sipPort },
        { name: 'tls', transport: 'tls', address: '127.0.0.1', port: tlsPort },
        { name: 'phones-udp', transport: 'udp', address: '127.0.0.1', port: phonesPort, role: 'phones' },
        { name: 'phones-tcp', transport: 'tcp', address: '127.0.0.1', port: phonesPort, role: 'phones' },
      ],
      userAgent: 'vpop',
    },
    tls: {
      certFile: popCertificate.certFile, keyFile: popCertificate.keyFile,
      ...(options.clientCertificates !== undefined ? { caFile: pki.ca.certFile } : {}),
      ...(options.clientCertificates === 'require' ? { requireClientCert: true } : {}),
    },
    engine: { controlAddress: '127.0.0.1', controlPort: await freePort(), secret: 'sbc-test-secret' },
    trunks: [
      {
        name: 'loopback-carrier', allow: ['127.0.0.2/32'], transports: ['tls'], srtp: 'required',
        srtpSuites: ['AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32'], codecs: ['PCMU', 'PCMA', 'telephone-event'],
        maxConcurrentCalls: 50, callsPerSecond: 10, ...options.trunks?.['loopback-carrier'],
      },
      {
        name: 'loopback-plain', allow: ['127.0.0.4/32'], transports: ['udp', 'tcp'], srtp: 'off',
        codecs: ['PCMU', 'PCMA', 'telephone-event'], maxConcurrentCalls: 500, callsPerSecond: 200,
        ...options.trunks?.['loopback-plain'],
      },
    ],
    phones: {
      allow: ['127.0.0.5/32', '127.0.0.6/31', '127.0.0.8/29'], realm: 'local.vpop',
      // baresip 1.x (the phone in tests) fails on a SHA-256 challenge: agent7 is MD5 only; agent8 gets SHA-256 first.
      credentials: [{ username: 'agent7', password: 'agent7-local', algorithms: ['MD5'] }, { username: 'agent8', password: 'agent8-local' }],
    },
    rtpengine: rtpengine.popSection,
    // A plain UDP link on loopback by default: SIPp, which plays the core in many tests, has no TLS.
    routingCore: coreLink === 'udp'
      ? { sipUri: `sip:127.0.0.1:${corePort}`, listener: { name: 'core', transport: 'udp', address: '127.0.0.1', port: coreListenerPort } }
      : {
          sipUri: `sips:127.0.0.1:${corePort}`, listener: { name: 'core', transport: 'tls', address: '127.0.0.1', port: coreListenerPort },
          caFile: pki.ca.certFile, certificate: { subject: 'core.test' },
        },
    ops: { port: await freePort() },
    stateDir,
  });
  // The engine's listeners and allow-lists as `vpop engine --pop` makes them: carrier
  // listeners admit their trunks only, the phones' listener the phones, the core listener the core.
  const run = optionsFromPop(pop);
  const engine = new SipEngine({
    listeners: run.listeners.map((listener) => (listener.transport === 'tls' && listener.tls ? {
      ...listener,
      tls: {
        ...listener.tls,
        ...(options.clientCertificates !== undefined ? { caFile: pki.ca.certFile, requestClientCert: true } : {}),
        ...(options.clientCertificates === 'require' ? { verifyClientCert: true } : {}),
      },
    } : listener)),
    control: { address: '127.0.0.1', port: pop.engine.controlPort, secret: 'sbc-test-secret' },
    tlsClient: run.tlsClient ?? { verifyServer: false },
    logger: pino({ level: process.env.VPOP_TEST_ENGINE_LOG ?? 'silent' }, pino.destination(2)),
    discardRequest: run.discardRequest,
  });
  await engine.start();
  const registry = new Registry();
  const cdrFile = join(stateDir, 'cdr', 'edge-cdr.jsonl');
  const sbc = await startSbc({
    pop, registry, logger: pino({ level: process.env.VPOP_TEST_LOG ?? 'silent' }, pino.destination(2)),
    cdr: new JsonlCdrWriter(cdrFile, pino({ level: 'silent' })),
    engine: { host: '127.0.0.1', port: pop.engine.controlPort, secret: 'sbc-test-secret' },
    ...(options.gatewayPingIntervalMs !== undefined ? { gatewayPingIntervalMs: options.gatewayPingIntervalMs } : {}),
  });
  const probe = new RtpengineAnchor({ ngAddress: rtpengine.ngAddress, ngPort: rtpengine.ngPort });
  return {
    pop, engine, sbc, rtpengine, probe, pki, popCertificate, sipPort, tlsPort, phonesPort, corePort, coreListenerPort, stateDir, registry, cdrFile,
    stop: async () => {
      await sbc.stop();
      probe.close();
      await engine.stop();
      await rtpengine.stop();
      await pki.cleanup();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** For afterEach: fails the test when a call is still up on the edge (after a grace poll), then stops it. */
export async function stopTestEdgeWithNoCallsLeft(edge: TestEdge | undefined): Promise<void> {
  if (!edge) return;
  await expect.poll(() => edge.probe.activeCalls()).toBe(0);
  await edge.stop();
}
