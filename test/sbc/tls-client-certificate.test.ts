// Mutual TLS identifies a trunk: the engine reports the verified client certificate to the
// SBC in X-VPOP-TLS-Client-* headers (removing any the network sent), and identify-trunk
// matches them against the trunk's clientCert. A node:tls SIP client at 127.0.0.2 presents
// certificates from the test PKI (baresip cannot present a chosen one).
import { afterEach, describe, expect, it } from 'vitest';
import type { SipMessage } from '../../edge/engine/messages/sip-message.js';
import { srtpOffer } from '../../media/testing/sample-sdp.js';
import { startSipp, type SippProcess } from '../support/sipp.js';
import { createTestPki, type TestCertificate, type TestPki } from '../support/test-certs.js';
import { startTestEdge, stopTestEdgeWithNoCallsLeft, type TestEdge, type TestEdgeOptions } from './support/sbc-harness.js';
import { TlsSipClient } from './support/tls-sip-client.js';

const CARRIER_CN = 'carrier.example';

describe('SBC trunk identified by its TLS client certificate', () => {
  let edge: TestEdge | undefined;
  let core: SippProcess | undefined;
  let otherPki: TestPki | undefined;
  const clients: TlsSipClient[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await core?.stop();
    await stopTestEdgeWithNoCallsLeft(edge);
    await otherPki?.cleanup();
    edge = core = otherPki = undefined;
  });

  async function start(clientCertificates: NonNullable<TestEdgeOptions['clientCertificates']>): Promise<TestEdge> {
    edge = await startTestEdge({ clientCertificates, trunks: { 'loopback-carrier': { clientCert: { subject: CARRIER_CN } } } });
    core = await startSipp({ scenario: 'uas', localAddress: '127.0.0.1', localPort: edge.corePort, transport: 'u1', timeoutSeconds: 60 });
    return edge;
  }

  async function connect(certificate: TestCertificate | undefined): Promise<TlsSipClient> {
    const client = await TlsSipClient.connect({
      port: edge!.tlsPort, localAddress: '127.0.0.2', ca: edge!.pki.ca.certPem,
      ...(certificate ? { cert: certificate.certPem, key: certificate.keyPem } : {}),
    });
    clients.push(client);
    return client;
  }

  function request(client: TlsSipClient, method: string, callId: string, extra: string[] = [], uri = `sip:18005550100@127.0.0.1:${edge!.tlsPort};transport=tls`, cseq = 1, toTag = ''): string[] {
    return [
      `${method} ${uri} SIP/2.0`,
      `Via: SIP/2.0/TLS 127.0.0.2:${client.localPort};branch=z9hG4bK-${callId}-${cseq}-${method};rport`,
      'Max-Forwards: 70', `From: <sip:+15550001111@127.0.0.2>;tag=${callId}`,
      `To: <sip:18005550100@127.0.0.1>${toTag === '' ? '' : `;tag=${toTag}`}`,
      `Call-ID: ${callId}`, `CSeq: ${cseq} ${method}`, `Contact: <sip:carrier@127.0.0.2:${client.localPort};transport=tls>`, ...extra,
    ];
  }

  const finalFor = (callId: string, method: string) => (message: SipMessage): boolean =>
    message.kind === 'response' && message.status >= 200 && message.headers.get('Call-ID') === callId
    && (message.headers.get('CSeq') ?? '').endsWith(method);

  async function inviteStatus(client: TlsSipClient, callId: string, extra: string[] = []): Promise<SipMessage | undefined> {
    client.send([...request(client, 'INVITE', callId, extra), 'Content-Type: application/sdp'], srtpOffer('127.0.0.2', 41000));
    return client.waitFor(finalFor(callId, 'INVITE'), 8000);
  }

  it('lets the call through with the right certificate, and gives 403 to a wrong, foreign or forged one', async () => {
    await start('request');
    const right = await edge!.pki.issue({ commonName: CARRIER_CN, usage: 'client' });
    const wrongName = await edge!.pki.issue({ commonName: 'evil.example', usage: 'client' });
    otherPki = await createTestPki({ caCommonName: 'Not the carriers CA' });
    const foreign = await otherPki.issue({ commonName: CARRIER_CN, usage: 'client' });

    const carrier = await connect(right);
    const answer = await inviteStatus(carrier, 'mtls-right');
    expect(answer?.kind === 'response' ? answer.status : answer).toBe(200);
    const contact = /<([^>]+)>/.exec(answer!.headers.get('Contact') ?? '')?.[1] ?? '';
    const toTag = /tag=([^;>\s]+)/.exec(answer!.headers.get('To') ?? '')?.[1] ?? '';
    carrier.send(request(carrier, 'ACK', 'mtls-right', [], contact, 1, toTag));
    carrier.send(request(carrier, 'BYE', 'mtls-right', [], contact, 2, toTag));
    const byeAnswer = await carrier.waitFor(finalFor('mtls-right', 'BYE'));
    expect(byeAnswer?.kind === 'response' ? byeAnswer.status : byeAnswer).toBe(200);

    for (const [name, certificate, extra] of [
      ['same CA, other subject', wrongName, []],
      ['right subject from another CA (not verified)', foreign, []],
      ['no certificate, forged identity headers', undefined, [`X-VPOP-TLS-Client-Subject: ${CARRIER_CN}`, `X-VPOP-TLS-Client-SHA256: ${right.fingerprint256}`]],
    ] as const) {
      const client = await connect(certificate);
      const refused = await inviteStatus(client, `mtls-${name.replace(/\W+/g, '-')}`, [...extra]);
      expect(refused?.kind === 'response' ? refused.status : refused, name).toBe(403);
    }
    const metrics = await edge!.registry.metrics();
    expect(metrics).toContain('vpop_sbc_policy_rejections_total{step="identify-trunk",outcome="403"} 3');
  });

  it('closes the connection of a client without a valid certificate when the listener requires one', async () => {
    await start('require');
    otherPki = await createTestPki({ caCommonName: 'Not the carriers CA' });
    const foreign = await otherPki.issue({ commonName: CARRIER_CN, usage: 'client' });
    for (const certificate of [undefined, foreign]) {
      // TLS 1.3 finishes the client's side of the handshake before the server checks the
      // certificate: the refusal is then a closed connection rather than a failed connect.
      const client = await connect(certificate).catch(() => undefined);
      if (client) {
        client.send(request(client, 'OPTIONS', `mtls-required-${certificate ? 'foreign' : 'none'}`));
        expect(await client.waitFor(() => true, 3000)).toBeUndefined();
        expect(client.closed).toBe(true);
      }
    }
    // Both refusals were the engine's certificate check (not, say, a refused TCP connect).
    const failures = [...(await edge!.engine.registry.metrics()).matchAll(/^vpop_engine_tls_handshake_failures_total\{[^}]*\} (\d+)$/gm)];
    expect(failures.reduce((sum, match) => sum + Number(match[1]), 0)).toBe(2);
    const right = await connect(await edge!.pki.issue({ commonName: CARRIER_CN, usage: 'client' }));
    const answer = await inviteStatus(right, 'mtls-required-right');
    expect(answer?.kind === 'response' ? answer.status : answer).toBe(200);
    const contact = /<([^>]+)>/.exec(answer!.headers.get('Contact') ?? '')?.[1] ?? '';
    const toTag = /tag=([^;>\s]+)/.exec(answer!.headers.get('To') ?? '')?.[1] ?? '';
    right.send(request(right, 'ACK', 'mtls-required-right', [], contact, 1, toTag));
    right.send(request(right, 'BYE', 'mtls-required-right', [], contact, 2, toTag));
    const byeAnswer = await right.waitFor(finalFor('mtls-required-right', 'BYE'));
    expect(byeAnswer?.kind === 'response' ? byeAnswer.status : byeAnswer).toBe(200);
  });
});
