// The routing core is trusted by identity, not by address (issue 8). Carrier listeners
// never admit the core's address, so an INVITE "from the core" sent to a carrier listener
// (on loopback the core's address is 127.0.0.1, exactly what a spoofer would forge) gets
// silence and reaches nobody. On the internal listener, a mutual-TLS link, a client with a
// certificate from the same CA but not the core's gets 403; the core's own certificate is
// served as the core (here a 404 for a number no trunk serves).
import net from 'node:net';
import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { RawSipPeer } from '../engine/raw-sip-peer.js';
import { startTestEdge, stopTestEdgeWithNoCallsLeft, type TestEdge } from './support/sbc-harness.js';
import { TlsSipClient } from './support/tls-sip-client.js';
import { waitUntil } from '../support/wait-until.js';

const SDP = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 40000 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', ''].join('\r\n');

function invite(to: string, via: string, callId: string): string[] {
  return [
    `INVITE sip:+15550001111@${to} SIP/2.0`, `Via: SIP/2.0/${via};branch=z9hG4bK-${callId};rport`, 'Max-Forwards: 70',
    `From: <sip:core@127.0.0.1>;tag=${callId}`, `To: <sip:+15550001111@${to}>`, `Call-ID: ${callId}`, 'CSeq: 1 INVITE',
    'Contact: <sip:core@127.0.0.1>', 'Content-Type: application/sdp',
  ];
}

async function counter(edge: TestEdge, name: string, labels: string): Promise<number> {
  const text = await edge.engine.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('the routing core is trusted by identity, never by address', () => {
  let edge: TestEdge | undefined;
  const peers: { close(): void }[] = [];
  afterEach(async () => {
    for (const peer of peers.splice(0)) peer.close();
    await stopTestEdgeWithNoCallsLeft(edge);
    edge = undefined;
  });

  it('gives a spoofed INVITE from the core\'s address on a carrier listener silence, and routes it nowhere', async () => {
    // The "core" listens where the edge would hand a call: nothing may arrive there.
    const core = await RawSipPeer.open({ address: '127.0.0.1', port: 9 }, '127.0.0.1');
    peers.push(core);
    edge = await startTestEdge({ corePort: core.port });
    const spoofer = await RawSipPeer.open({ address: '127.0.0.1', port: edge.sipPort }, '127.0.0.1');
    peers.push(spoofer);
    const before = await counter(edge, 'vpop_engine_allowlist_drops_total', 'listener="udp"');
    spoofer.send(invite(`127.0.0.1:${edge.sipPort}`, `UDP 127.0.0.1:${spoofer.port}`, 'spoofed-udp'), SDP);
    await waitUntil(async () => (await counter(edge!, 'vpop_engine_allowlist_drops_total', 'listener="udp"')) > before, 'the carrier UDP listener drops the datagram');

    // The same bytes on the TCP carrier listener: the connection is closed at accept.
    const tcp = net.connect({ host: '127.0.0.1', port: edge.sipPort, localAddress: '127.0.0.1' });
    const tcpData: Buffer[] = [];
    tcp.on('data', (chunk: Buffer) => tcpData.push(chunk));
    tcp.on('error', () => undefined);
    await new Promise<void>((resolve) => tcp.once('close', () => resolve()));
    expect(Buffer.concat(tcpData).toString()).toBe('');

    // The internal listener answers the same source: the refusal above is the listener's, not a dead edge.
    const onCoreListener = await RawSipPeer.open({ address: '127.0.0.1', port: edge.coreListenerPort }, '127.0.0.1');
    peers.push(onCoreListener);
    onCoreListener.send(invite(`127.0.0.1:${edge.coreListenerPort}`, `UDP 127.0.0.1:${onCoreListener.port}`, 'core-listener'), SDP);
    const answer = await onCoreListener.waitFor((m) => m.kind === 'response' && m.status >= 200);
    expect(answer.kind === 'response' && answer.status).toBe(404);

    expect(spoofer.received.map((m) => (m.kind === 'response' ? m.status : m.method))).toEqual([]);
    expect(core.received).toEqual([]);
    expect(await edge.registry.metrics()).not.toMatch(/vpop_sbc_call_attempts_total\{.*\} [1-9]/);
    expect(await edge.probe.activeCalls()).toBe(0);
  });

  it('gives a carrier\'s or a phone\'s address on the internal listener silence', async () => {
    edge = await startTestEdge();
    const before = await counter(edge, 'vpop_engine_allowlist_drops_total', 'listener="core"');
    for (const source of ['127.0.0.4', '127.0.0.5']) {
      const peer = await RawSipPeer.open({ address: '127.0.0.1', port: edge.coreListenerPort }, source);
      peers.push(peer);
      peer.send(invite(`127.0.0.1:${edge.coreListenerPort}`, `UDP ${source}:${peer.port}`, `from-${source}`), SDP);
    }
    await waitUntil(async () => (await counter(edge!, 'vpop_engine_allowlist_drops_total', 'listener="core"')) >= before + 2, 'both datagrams dropped');
  });

  it('on a mutual-TLS link, refuses a certificate from the same CA that is not the core\'s, and serves the core\'s', async () => {
    edge = await startTestEdge({ coreLink: 'tls' });
    const ca = await readFile(edge.pki.ca.certFile, 'utf8');
    const impostorCertificate = await edge.pki.issue({ commonName: 'carrier.test', usage: 'client' });
    const coreCertificate = await edge.pki.issue({ commonName: 'core.test', usage: 'client' });
    const send = async (cert: { certPem: string; keyPem: string }, callId: string): Promise<number | undefined> => {
      const client = await TlsSipClient.connect({ port: edge!.coreListenerPort, localAddress: '127.0.0.1', ca, cert: cert.certPem, key: cert.keyPem });
      peers.push({ close: () => client.close() });
      client.send(invite(`127.0.0.1:${edge!.coreListenerPort};transport=tls`, `TLS 127.0.0.1:${client.localPort}`, callId), SDP);
      const final = await client.waitFor((m) => m.kind === 'response' && m.status >= 200);
      return final?.kind === 'response' ? final.status : undefined;
    };
    expect(await send(impostorCertificate, 'impostor')).toBe(403);
    expect(await send(coreCertificate, 'genuine-core')).toBe(404);
    // Without a client certificate the handshake itself is refused.
    await expect(TlsSipClient.connect({ port: edge.coreListenerPort, localAddress: '127.0.0.1', ca })
      .then(async (client) => { client.send(['OPTIONS sip:127.0.0.1 SIP/2.0']); return client.waitFor(() => true, 2000); }))
      .resolves.toBeUndefined();
    expect(await edge.registry.metrics()).toMatch(/vpop_sbc_policy_rejections_total\{step="route-from-core",outcome="403"\} 1/);
  });
});
