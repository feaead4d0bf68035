// Issue 15: an upstream proxy (Kamailio) forks one INVITE to the engine twice, one branch over
// UDP and one over TCP (same From tag, Call-ID and CSeq, different Via branch). RFC 3261
// §8.2.2.2: the later copy gets 482 Loop Detected and the app sees one INVITE, one call.
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestEngine, TEST_SECRET, type RunningEngine } from './engine-harness.js';
import { connectSrf, newSrf, type SrfApp } from './srf-app.js';
import { TEST_SDP } from './sdp.js';
import { RawSipPeer, isResponse } from './raw-sip-peer.js';
import { parseSipMessage } from '../../edge/engine/messages/parse-message.js';
import type { SipMessage } from '../../edge/engine/messages/sip-message.js';

/** One INVITE as a forking proxy at 127.0.0.1:`proxyPort` relays it: its own Via on top, the carrier's below. */
function forkedInvite(sipPort: number, proxyPort: number, transport: 'UDP' | 'TCP', branch: string): string[] {
  return [
    `INVITE sip:15550002222@127.0.0.1:${sipPort} SIP/2.0`,
    `Via: SIP/2.0/${transport} 127.0.0.1:${proxyPort};branch=z9hG4bK${branch};rport`,
    'Via: SIP/2.0/UDP 127.0.0.9:5060;branch=z9hG4bKcarrier1;received=127.0.0.9',
    'Record-Route: <sip:127.0.0.1:' + proxyPort + ';lr;r2=on>',
    'Max-Forwards: 69',
    'From: <sip:15550001111@127.0.0.9>;tag=carrier-tag-1',
    `To: <sip:15550002222@127.0.0.1:${sipPort}>`,
    'Call-ID: forked-call-1@127.0.0.9',
    'CSeq: 102 INVITE',
    'Contact: <sip:15550001111@127.0.0.9:5060>',
    'Content-Type: application/sdp',
  ];
}

/** A TCP connection to the engine that collects the SIP messages it is sent (one per read is enough here: small messages). */
class TcpSipPeer {
  readonly received: SipMessage[] = [];
  private pending = Buffer.alloc(0);

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.pending = Buffer.concat([this.pending, chunk]);
      for (;;) {
        const text = this.pending.toString('latin1');
        const end = text.indexOf('\r\n\r\n');
        if (end === -1) return;
        const length = Number(/\r\n(?:Content-Length|l)\s*:\s*(\d+)/i.exec(text.slice(0, end))?.[1] ?? '0');
        if (this.pending.length < end + 4 + length) return;
        this.received.push(parseSipMessage(this.pending.subarray(0, end + 4 + length)));
        this.pending = this.pending.subarray(end + 4 + length);
      }
    });
  }

  static async open(port: number): Promise<TcpSipPeer> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new TcpSipPeer(socket);
  }

  get localPort(): number {
    return this.socket.localPort ?? 0;
  }

  send(lines: string[], body: string): void {
    this.socket.write(`${lines.join('\r\n')}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }

  close(): void {
    this.socket.destroy();
  }
}

describe('merged requests (RFC 3261 §8.2.2.2)', () => {
  let running: RunningEngine | undefined;
  let app: SrfApp | undefined;
  let udp: RawSipPeer | undefined;
  let tcp: TcpSipPeer | undefined;
  afterEach(async () => {
    app?.disconnect();
    app = undefined;
    udp?.close();
    udp = undefined;
    tcp?.close();
    tcp = undefined;
    await running?.stop();
    running = undefined;
  });

  it.each([
    ['UDP first, TCP copy', 'UDP'],
    ['TCP first, UDP copy', 'TCP'],
  ] as const)('%s: the later branch gets 482 and the app sees one INVITE', async (_name, firstTransport) => {
    running = await startTestEngine();
    const invites: string[] = [];
    let answerInvite: (() => void) | undefined;
    const srf = newSrf();
    app = srf;
    srf.invite(((req: { get(name: string): string }, res: { send(status: number, opts: unknown): void }) => {
      invites.push(req.get('Via'));
      // The first copy is still ringing when the second arrives.
      answerInvite = () => res.send(200, { body: TEST_SDP });
    }) as never);
    await connectSrf(srf, running.controlPort, TEST_SECRET);
    await expect.poll(() => running!.engine.control.routes.appsFor('invite').length).toBe(1);

    udp = await RawSipPeer.open({ address: '127.0.0.1', port: running.sipPort });
    tcp = await TcpSipPeer.open(running.sipPort);
    const sendUdp = () => udp!.send(forkedInvite(running!.sipPort, udp!.port, 'UDP', 'fork-udp'), TEST_SDP);
    const sendTcp = () => tcp!.send(forkedInvite(running!.sipPort, tcp!.localPort, 'TCP', 'fork-tcp'), TEST_SDP);
    if (firstTransport === 'UDP') sendUdp();
    else sendTcp();
    await expect.poll(() => invites.length).toBe(1);
    if (firstTransport === 'UDP') sendTcp();
    else sendUdp();

    const copyResponses = () => (firstTransport === 'UDP' ? tcp!.received : udp!.received);
    await expect.poll(() => copyResponses().some(isResponse(482, 'INVITE'))).toBe(true);
    expect(copyResponses().find(isResponse(482, 'INVITE'))?.headers.get('Via')).toContain(firstTransport === 'UDP' ? 'fork-tcp' : 'fork-udp');
    answerInvite!();
    const firstResponses = () => (firstTransport === 'UDP' ? udp!.received : tcp!.received);
    await expect.poll(() => firstResponses().some(isResponse(200, 'INVITE'))).toBe(true);
    expect(invites).toHaveLength(1);
    expect(running.engine.ua.dialogs.size).toBe(1);
    const metrics = await running.engine.registry.getSingleMetricAsString('vpop_engine_sip_merged_requests_total');
    expect(metrics).toContain('vpop_engine_sip_merged_requests_total 1');
  });
});
