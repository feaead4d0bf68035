// The transaction layer over real UDP and TCP sockets on loopback: the engine's
// transport layer on one side, plain dgram/net sockets (and SIPp) as the peers.
// Timers run on the system clock with a short T1 so retransmissions show quickly.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import dgram from 'node:dgram';
import net from 'node:net';
import { once } from 'node:events';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { AllowList } from '../allow-list/allow-list.js';
import { parseSipMessage } from '../messages/parse-message.js';
import type { SipMessage, SipRequest, SipResponse } from '../messages/sip-message.js';
import { TransportLayer } from '../transport/transport-layer.js';
import { freePort } from '../../../test/support/free-port.js';
import type { InviteServerTransaction } from './invite-server-transaction.js';
import { responseTo } from './local-responses.js';
import { TransactionLayer } from './transaction-layer.js';
import type { ServerTransaction, TransactionUser } from './transaction-user.js';
import { SocketWiring } from './testing/socket-wiring.js';

const T1 = 40;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Poll until `condition` holds (bounded), so slow CI machines do not make timing flaky. */
async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited >= timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** A TU that answers like a tiny UAS: INVITE to "answer" gets 180+200, "manual" waits for the test. */
class AnsweringUser implements TransactionUser {
  readonly invites: { request: SipRequest; transaction: InviteServerTransaction }[] = [];
  readonly acks: SipRequest[] = [];
  readonly strays: SipResponse[] = [];
  readonly cancels: InviteServerTransaction[] = [];
  contact = '<sip:127.0.0.1>';

  onRequest(request: SipRequest, transaction: ServerTransaction): void {
    if (request.method === 'INVITE') {
      const invite = transaction as InviteServerTransaction;
      this.invites.push({ request, transaction: invite });
      if (request.uri.startsWith('sip:manual')) return;
      transaction.respond(responseTo(request, 180, 'Ringing', 'uas'));
      const ok = responseTo(request, 200, 'OK', 'uas');
      ok.headers.set('Contact', this.contact);
      transaction.respond(ok);
      return;
    }
    if (request.method === 'CANCEL') {
      transaction.respond(responseTo(request, 481, 'Call/Transaction Does Not Exist', 'uas'));
      return;
    }
    transaction.respond(responseTo(request, 200, 'OK', 'uas'));
  }
  onCancel(invite: InviteServerTransaction): void {
    this.cancels.push(invite);
    invite.respond(responseTo(invite.request, 487, 'Request Terminated', 'uas'));
  }
  onAck2xx(ack: SipRequest): void {
    this.acks.push(ack);
  }
  onStrayResponse(response: SipResponse): void {
    this.strays.push(response);
  }
  onTransactionTimeout(): void {}
  onTransportError(): void {}
}

/** Collects parsed SIP messages from a socket and waits for them. */
class Inbox {
  readonly messages: SipMessage[] = [];
  private waiters: (() => void)[] = [];
  push(message: SipMessage): void {
    this.messages.push(message);
    for (const wake of this.waiters.splice(0)) wake();
  }
  async waitFor(pick: (m: SipMessage) => boolean, count = 1, timeoutMs = 3000): Promise<SipMessage[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.filter(pick);
      if (found.length >= count) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${count} message(s); have ${this.messages.length}`);
      await Promise.race([new Promise<void>((resolve) => this.waiters.push(resolve)), sleep(Math.min(left, 100))]);
    }
  }
  count(pick: (m: SipMessage) => boolean): number {
    return this.messages.filter(pick).length;
  }
}

const isStatus = (status: number, method?: string) => (m: SipMessage): boolean =>
  m.kind === 'response' && m.status === status && (method === undefined || (m.headers.get('CSeq') ?? '').endsWith(method));
const isRequest = (method: string) => (m: SipMessage): boolean => m.kind === 'request' && m.method === method;

function sipRequest(method: string, o: { uri: string; via: string; callId: string; cseq?: number; toTag?: string }): string {
  const to = `<sip:bob@127.0.0.1>${o.toTag ? `;tag=${o.toTag}` : ''}`;
  return (
    `${method} ${o.uri} SIP/2.0\r\nVia: ${o.via}\r\nMax-Forwards: 70\r\n` +
    `From: <sip:alice@127.0.0.1>;tag=caller\r\nTo: ${to}\r\nCall-ID: ${o.callId}\r\n` +
    `CSeq: ${o.cseq ?? 1} ${method}\r\nContent-Length: 0\r\n\r\n`
  );
}

function sipResponse(request: SipRequest, status: number, reason: string, toTag: string): string {
  const vias = request.headers.getAll('Via').map((via) => `Via: ${via}\r\n`).join('');
  return (
    `SIP/2.0 ${status} ${reason}\r\n${vias}From: ${request.headers.get('From')}\r\n` +
    `To: ${request.headers.get('To')};tag=${toTag}\r\nCall-ID: ${request.headers.get('Call-ID')}\r\n` +
    `CSeq: ${request.headers.get('CSeq')}\r\nContact: <sip:127.0.0.1>\r\nContent-Length: 0\r\n\r\n`
  );
}

interface Engine {
  layer: TransactionLayer;
  user: AnsweringUser;
  udpPort: number;
  tcpPort: number;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startEngine(timers: Record<string, number> = {}): Promise<Engine> {
  const allowList = AllowList.parse(['127.0.0.0/8']);
  const transports = new TransportLayer({
    listeners: [
      { name: 'udp', transport: 'udp', address: '127.0.0.1', port: 0, allowList },
      { name: 'tcp', transport: 'tcp', address: '127.0.0.1', port: 0, allowList },
    ],
    registry: new Registry(),
  });
  const wiring = new SocketWiring(transports);
  const user = new AnsweringUser();
  const layer = new TransactionLayer({ transport: wiring, user, timers: { t1: T1, t2: 8 * T1, t4: 10 * T1, ...timers } });
  wiring.layer = layer;
  await transports.start();
  cleanups.push(async () => {
    layer.close();
    await transports.stop();
  });
  const port = (name: string) => transports.boundListeners().find((info) => info.name === name)!.port;
  return { layer, user, udpPort: port('udp'), tcpPort: port('tcp') };
}

async function udpPeer(): Promise<{ socket: dgram.Socket; port: number; inbox: Inbox; send: (text: string, port: number) => void }> {
  const socket = dgram.createSocket('udp4');
  const inbox = new Inbox();
  socket.on('message', (data) => inbox.push(parseSipMessage(data)));
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  cleanups.push(() => {
    socket.close();
  });
  return {
    socket,
    port: socket.address().port,
    inbox,
    send: (text, port) => socket.send(text, port, '127.0.0.1'),
  };
}

describe('transaction layer over real UDP', () => {
  it('absorbs a retransmitted INVITE, sends responses to the Via sent-by port, retransmits the 486 until the ACK', async () => {
    const engine = await startEngine();
    const sender = await udpPeer();
    const viaTarget = await udpPeer();
    const via = `SIP/2.0/UDP 127.0.0.1:${viaTarget.port};branch=z9hG4bK-udp-busy`;
    const invite = sipRequest('INVITE', { uri: 'sip:manual@127.0.0.1', via, callId: 'udp-busy' });
    sender.send(invite, engine.udpPort);
    await viaTarget.inbox.waitFor(isStatus(100));
    sender.send(invite, engine.udpPort); // a retransmission
    await viaTarget.inbox.waitFor(isStatus(100), 2);
    expect(engine.user.invites).toHaveLength(1);
    expect(engine.layer.stats.requestRetransmissions).toBe(1);

    const { request, transaction } = engine.user.invites[0]!;
    transaction.respond(responseTo(request, 486, 'Busy Here', 'uas'));
    // Timer G: 486 at 0, T1, 3*T1, ...
    await viaTarget.inbox.waitFor(isStatus(486), 3);
    sender.send(sipRequest('ACK', { uri: 'sip:manual@127.0.0.1', via, callId: 'udp-busy', toTag: 'uas' }), engine.udpPort);
    await until(() => transaction.state !== 'completed', 'the ACK to confirm the transaction');
    await sleep(T1); // a 486 already in flight when the ACK arrived
    const afterAck = viaTarget.inbox.count(isStatus(486));
    await until(() => transaction.state === 'terminated', 'Timer I');
    await sleep(4 * T1);
    expect(viaTarget.inbox.count(isStatus(486))).toBe(afterAck);
    expect(sender.inbox.messages).toHaveLength(0);
  });

  it('sends responses to the source address and port when the Via has rport (RFC 3581)', async () => {
    const engine = await startEngine();
    const sender = await udpPeer();
    const elsewhere = await udpPeer();
    const via = `SIP/2.0/UDP 127.0.0.1:${elsewhere.port};rport;branch=z9hG4bK-udp-rport`;
    sender.send(sipRequest('OPTIONS', { uri: 'sip:edge@127.0.0.1', via, callId: 'udp-rport' }), engine.udpPort);
    const [ok] = await sender.inbox.waitFor(isStatus(200));
    expect(ok!.headers.get('Via')).toBe(
      `SIP/2.0/UDP 127.0.0.1:${elsewhere.port};rport=${sender.port};branch=z9hG4bK-udp-rport;received=127.0.0.1`,
    );
    expect(elsewhere.inbox.messages).toHaveLength(0);
  });

  it('as a client: retransmits the INVITE until answered, ACKs a 486 itself, and passes a late 2xx up as a stray', async () => {
    const engine = await startEngine({ timerM: 6 * T1 });
    const uas = await udpPeer();
    const listener = { responses: [] as SipResponse[], onResponse(response: SipResponse) { this.responses.push(response); } };

    const busyInvite = buildInvite(engine, 'client-busy');
    engine.layer.sendRequest(busyInvite, { transport: 'udp', address: '127.0.0.1', port: uas.port }, listener);
    const received = await uas.inbox.waitFor(isRequest('INVITE'), 3); // original + Timer A retransmissions
    uas.send(sipResponse(received[0] as SipRequest, 486, 'Busy Here', 'b1'), engine.udpPort);
    const [ack] = (await uas.inbox.waitFor(isRequest('ACK'))) as SipRequest[];
    expect(ack!.headers.get('CSeq')).toBe('1 ACK');
    expect(ack!.headers.get('To')).toContain('tag=b1');
    expect(ack!.headers.get('Via')).toBe(busyInvite.headers.get('Via'));
    expect(listener.responses.map((r) => r.status)).toEqual([486]);

    const okInvite = buildInvite(engine, 'client-ok');
    const okTransaction = engine.layer.sendRequest(okInvite, { transport: 'udp', address: '127.0.0.1', port: uas.port }, listener);
    const [sent] = (await uas.inbox.waitFor((m) => isRequest('INVITE')(m) && m.headers.get('Call-ID') === 'client-ok')) as SipRequest[];
    const ok = sipResponse(sent!, 200, 'OK', 'a1');
    uas.send(ok, engine.udpPort);
    uas.send(ok, engine.udpPort); // a retransmission within Timer M: to the listener again
    await until(() => listener.responses.length === 3, 'both 2xx at the listener');
    expect(listener.responses.map((r) => r.status)).toEqual([486, 200, 200]);
    expect(okTransaction.state).toBe('accepted');
    await until(() => okTransaction.state === 'terminated', 'Timer M');
    uas.send(ok, engine.udpPort); // after Timer M: no transaction, a stray for the TU
    await until(() => engine.user.strays.length > 0, 'the stray 2xx');
    expect(engine.user.strays.map((r) => r.status)).toEqual([200]);
    expect(listener.responses).toHaveLength(3);
  });

  function buildInvite(engine: Engine, callId: string): SipRequest {
    const text = sipRequest('INVITE', {
      uri: 'sip:bob@127.0.0.1',
      via: `SIP/2.0/UDP 127.0.0.1:${engine.udpPort};rport;branch=${engine.layer.newBranch()}`,
      callId,
    });
    return parseSipMessage(Buffer.from(text)) as SipRequest;
  }
});

describe('transaction layer over real TCP', () => {
  it('answers on the same connection; absorbs the INVITE retransmission in Accepted; CANCEL after 200 gets 200 and no 487', async () => {
    const engine = await startEngine();
    const socket = net.connect(engine.tcpPort, '127.0.0.1');
    cleanups.push(() => {
      socket.destroy();
    });
    await once(socket, 'connect');
    const inbox = new Inbox();
    let buffered = '';
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      // Every message the engine sends here has Content-Length: 0, so a blank line ends it.
      for (let end = buffered.indexOf('\r\n\r\n'); end !== -1; end = buffered.indexOf('\r\n\r\n')) {
        inbox.push(parseSipMessage(Buffer.from(buffered.slice(0, end + 4))));
        buffered = buffered.slice(end + 4);
      }
    });
    const via = `SIP/2.0/TCP 127.0.0.1:${await freePort()};branch=z9hG4bK-tcp-race`;
    const invite = sipRequest('INVITE', { uri: 'sip:answer@127.0.0.1', via, callId: 'tcp-race' });
    socket.write(invite);
    await inbox.waitFor(isStatus(200, 'INVITE'));
    expect(inbox.count(isStatus(100))).toBe(1);
    expect(inbox.count(isStatus(180))).toBe(1);

    socket.write(invite); // absorbed in Accepted: nothing is sent, the TU does not see it
    socket.write(sipRequest('CANCEL', { uri: 'sip:answer@127.0.0.1', via, callId: 'tcp-race' }));
    const [cancelOk] = await inbox.waitFor(isStatus(200, 'CANCEL'));
    expect(cancelOk!.headers.get('To')).toContain('tag=uas');
    socket.write(
      sipRequest('ACK', {
        uri: 'sip:answer@127.0.0.1',
        via: 'SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK-tcp-race-ack',
        callId: 'tcp-race',
        toTag: 'uas',
      }),
    );
    await until(() => engine.user.acks.length > 0, 'the 2xx ACK at the TU');
    expect(engine.user.acks).toHaveLength(1);
    expect(engine.user.invites).toHaveLength(1);
    expect(engine.user.cancels).toHaveLength(0);
    expect(inbox.count(isStatus(487))).toBe(0);
    expect(inbox.count(isStatus(200, 'INVITE'))).toBe(1);
    expect(engine.user.invites[0]!.transaction.state).toBe('accepted');
  });
});

describe('SIPp as the caller', () => {
  for (const transport of ['udp', 'tcp'] as const) {
    it(`completes 20 calls over ${transport} (sipp -sn uac)`, async () => {
      const engine = await startEngine();
      const port = transport === 'udp' ? engine.udpPort : engine.tcpPort;
      engine.user.contact = `<sip:127.0.0.1:${port};transport=${transport}>`;
      const sippPort = await freePort();
      const child = spawn(
        'sipp',
        [
          '-sn', 'uac', `127.0.0.1:${port}`, '-t', transport === 'udp' ? 'u1' : 't1',
          '-i', '127.0.0.1', '-p', String(sippPort), '-m', '20', '-r', '20', '-d', '50',
          '-timeout', '30s', '-timeout_error', '-nostdin', '-nr',
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      cleanups.push(() => {
        if (child.exitCode === null) child.kill('SIGKILL');
      });
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code, stderr).toBe(0);
      expect(engine.user.invites).toHaveLength(20);
      expect(engine.user.acks).toHaveLength(20);
    });
  }
});

describe('SIPp as the callee', () => {
  for (const transport of ['udp', 'tcp'] as const) {
    it(`client transactions complete 5 calls against sipp -sn uas over ${transport} (INVITE, 2xx ACK, BYE)`, async () => {
      // RFC default T1: SIPp is a real peer that may be slow to start on a loaded machine.
      const engine = await startEngine({ t1: 500, t2: 4000, t4: 5000 });
      const localPort = transport === 'udp' ? engine.udpPort : engine.tcpPort;
      const sippPort = await freePort();
      const child = spawn(
        'sipp',
        ['-sn', 'uas', '-t', transport === 'udp' ? 'u1' : 't1', '-i', '127.0.0.1', '-p', String(sippPort), '-m', '5', '-nostdin', '-nr'],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = once(child, 'exit') as Promise<[number | null]>;
      cleanups.push(() => {
        if (child.exitCode === null) child.kill('SIGKILL');
      });
      await untilListening(transport, sippPort);
      const target = { transport, address: '127.0.0.1', port: sippPort };
      const statuses: number[] = [];
      for (let call = 0; call < 5; call++) {
        const callId = `sipp-uas-${transport}-${call}`;
        const invite = outgoing('INVITE', engine, transport, localPort, { callId, cseq: 1 });
        const ok = await settleWithin<SipResponse>(10_000, `200 to INVITE ${call}`, (resolve, reject) => {
          engine.layer.sendRequest(invite, target, {
            onResponse: (response) => {
              statuses.push(response.status);
              if (response.status >= 200) resolve(response);
            },
            onTimeout: () => reject(new Error('INVITE timed out')),
            onTransportError: (_txn, error) => reject(error),
          });
        });
        const toTag = /;tag=([^;>\s]+)/.exec(ok.headers.get('To') ?? '')?.[1];
        expect(ok.status).toBe(200);
        engine.layer.sendStateless(outgoing('ACK', engine, transport, localPort, { callId, cseq: 1, toTag }), target);
        const byeOk = await settleWithin<SipResponse>(10_000, `200 to BYE ${call}`, (resolve, reject) => {
          engine.layer.sendRequest(outgoing('BYE', engine, transport, localPort, { callId, cseq: 2, toTag }), target, {
            onResponse: (response) => {
              if (response.status >= 200) resolve(response);
            },
            onTimeout: () => reject(new Error('BYE timed out')),
          });
        });
        expect(byeOk.status).toBe(200);
      }
      const [code] = await exited;
      expect(code, stderr).toBe(0);
      expect(statuses.filter((status) => status === 180)).toHaveLength(5);
    });
  }

  /** Until SIPp's socket is bound, read from /proc/net so no probe traffic reaches SIPp. */
  async function untilListening(transport: 'udp' | 'tcp', port: number): Promise<void> {
    const hexPort = `:${port.toString(16).toUpperCase().padStart(4, '0')} `;
    const table = `/proc/net/${transport}`;
    await until(() => readFileSync(table, 'utf8').split('\n').some((line) => line.includes(`0100007F${hexPort}`)), `SIPp bound to ${transport} ${port}`);
  }

  /** A promise that fails with `what` instead of hanging if the peer never answers. */
  function settleWithin<T>(ms: number, what: string, start: (resolve: (value: T) => void, reject: (error: Error) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
      start(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  function outgoing(
    method: string,
    engine: Engine,
    transport: 'udp' | 'tcp',
    localPort: number,
    o: { callId: string; cseq: number; toTag?: string | undefined },
  ): SipRequest {
    const via = `SIP/2.0/${transport.toUpperCase()} 127.0.0.1:${localPort};rport;branch=${engine.layer.newBranch()}`;
    const text = sipRequest(method, { uri: 'sip:service@127.0.0.1', via, callId: o.callId, cseq: o.cseq, ...(o.toTag ? { toTag: o.toTag } : {}) })
      .replace('\r\nContent-Length', `\r\nContact: <sip:127.0.0.1:${localPort};transport=${transport}>\r\nContent-Length`);
    return parseSipMessage(Buffer.from(text)) as SipRequest;
  }
});

