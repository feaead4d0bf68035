// The POP's processes as vpop up runs them (built code, under the supervisor): the SIP
// engine (`vpop engine --pop`), the SBC and the stand-in core from one POP file, with a
// real rtpengine; a SIPp carrier on the plain trunk gets its calls answered by the
// stand-in through the edge, over the mutual-TLS link between edge and core (both
// certificates from one test CA, the core known to the edge by its certificate).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { stringify } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { sbcProcess, standInCoreProcess } from '../../edge/sbc/sbc-process.js';
import { Supervisor } from '../../platform/supervisor/supervisor.js';
import { startTestRtpengine, type TestRtpengine } from '../../media/testing/test-rtpengine.js';
import { describeSippRun, runSipp } from '../support/sipp.js';
import { freePort } from '../support/free-port.js';
import { createTestPki, type TestPki } from '../support/test-certs.js';

// Built code (npm run build): the child processes run dist/.
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const builtSbc = join(repoRoot, 'dist', 'edge', 'sbc');

describe('SBC and stand-in core as supervised processes', () => {
  let supervisor: Supervisor | undefined;
  let rtpengine: TestRtpengine | undefined;
  let dir: string | undefined;
  let pki: TestPki | undefined;
  afterEach(async () => {
    await supervisor?.stop();
    await rtpengine?.stop();
    await pki?.cleanup();
    pki = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
    supervisor = rtpengine = dir = undefined;
  });

  it('bridges a SIPp call from the plain trunk to the stand-in core over the mutual-TLS core link', async () => {
    dir = mkdtempSync(join(tmpdir(), 'vpop-sbc-processes-'));
    rtpengine = await startTestRtpengine();
    pki = await createTestPki();
    const edgeCertificate = await pki.issue({ commonName: 'edge.processes', usage: 'both', ipAddresses: ['127.0.0.1'] });
    const coreCertificate = await pki.issue({ commonName: 'core.processes', usage: 'both', ipAddresses: ['127.0.0.1'] });
    const sipPort = await freePort();
    const corePort = await freePort();
    const popFile = join(dir, 'pop.yaml');
    writeFileSync(popFile, stringify({
      pop: { id: 'processes', region: 'loopback' },
      sip: { listeners: [
        { name: 'udp', transport: 'udp', address: '127.0.0.1', port: sipPort },
        { name: 'tcp', transport: 'tcp', address: '127.0.0.1', port: sipPort },
      ] },
      engine: { controlAddress: '127.0.0.1', controlPort: await freePort(), secret: 'processes-secret' },
      trunks: [{
        name: 'loopback-plain', allow: ['127.0.0.4/32'], transports: ['udp', 'tcp'], srtp: 'off',
        codecs: ['PCMU', 'PCMA', 'telephone-event'], maxConcurrentCalls: 10, callsPerSecond: 10,
      }],
      tls: { certFile: edgeCertificate.certFile, keyFile: edgeCertificate.keyFile },
      rtpengine: {
        ngAddress: '127.0.0.1', ngPort: rtpengine.ngPort, httpPort: rtpengine.popSection.httpPort,
        interfaces: [{ name: 'loopback', address: '127.0.0.1' }], portMin: rtpengine.portMin, portMax: rtpengine.portMax,
      },
      routingCore: {
        sipUri: `sips:127.0.0.1:${corePort}`,
        listener: { name: 'core', transport: 'tls', address: '127.0.0.1', port: await freePort() },
        caFile: pki.ca.certFile,
        certificate: { subject: 'core.processes' },
        certFile: coreCertificate.certFile,
        keyFile: coreCertificate.keyFile,
      },
      ops: { port: await freePort() },
      logging: { level: 'warn' },
      stateDir: join(dir, 'state'),
    }));
    supervisor = new Supervisor({
      children: [
        { name: 'engine', command: process.execPath, args: [join(repoRoot, 'dist', 'cli', 'vpop.js'), 'engine', '--pop', popFile] },
        standInCoreProcess(popFile, builtSbc),
        sbcProcess(popFile, builtSbc),
      ],
      registry: new Registry(),
    });
    supervisor.start();
    let answered = 0;
    let last = '';
    for (let attempt = 0; attempt < 20 && answered === 0; attempt++) {
      const result = await runSipp({
        scenario: 'uac', target: `127.0.0.1:${sipPort}`, localAddress: '127.0.0.4', localPort: await freePort(),
        transport: 'u1', calls: 1, durationMs: 200, timeoutSeconds: 5, service: '18005550100',
      });
      answered = result.statistics?.successfulCalls ?? 0;
      if (answered === 0) {
        last = await describeSippRun('sipp uac', result);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
    expect(answered, last).toBe(1);
    expect(supervisor.status().map((child) => [child.name, child.pid !== undefined])).toEqual([
      ['engine', true], ['stand-in-core', true], ['sbc', true],
    ]);
  });
});
