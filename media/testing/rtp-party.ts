// A test peer that speaks real RTP on loopback: it sends a G.711 μ-law tone in 20 ms
// packets paced by the clock, sends RFC 4733 digits, and keeps what it receives (decoded,
// with arrival times) so a test can look for tones in it.
import { createSocket, type Socket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import { decodeG711, linearToUlaw, PT_PCMU } from '../recording/g711.js';

export const PT_TELEPHONE_EVENT = 101;
const SAMPLES_PER_PACKET = 160;
const PACKET_MS = 20;
const MAX_BURST = 5;

export interface ReceivedPacket {
  arrivalMs: number;
  payloadType: number;
  samples: Int16Array;
}

export interface RtpPartyOptions {
  /** Keep every received packet's samples (tests); off, only counts are kept (benchmarks). Default on. */
  keepReceived?: boolean;
  /** Send from its own timer (default) or only when sendDue() is called (one pacer for many parties). */
  selfPaced?: boolean;
}

export class RtpParty {
  readonly received: ReceivedPacket[] = [];
  /** Voice packets sent so far. */
  sent = 0;
  /** Voice packets received so far. */
  receivedVoice = 0;
  private due = 0;
  private frequency = 0;
  private phase = 0;
  private sequence = randomInt(0, 0xffff);
  private timestamp = randomInt(0, 0x7fffffff);
  private readonly ssrc = randomInt(1, 0x7fffffff);
  private remote: { address: string; port: number } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private muted = false;

  private constructor(private readonly socket: Socket, readonly address: string, private readonly options: RtpPartyOptions) {
    socket.on('message', (message) => this.receive(message));
  }

  static async bind(address = '127.0.0.1', options: RtpPartyOptions = {}): Promise<RtpParty> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, address, resolve));
    return new RtpParty(socket, address, options);
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** Starts sending `frequency` Hz (0 = silence) to the anchor's port, 50 packets a second. */
  start(remote: { address: string; port: number }, frequency: number): void {
    this.remote = remote;
    this.frequency = frequency;
    this.startedAt = Date.now();
    this.due = 0;
    if (this.options.selfPaced ?? true) this.timer = setInterval(() => this.sendDue(), 10);
  }

  /**
   * Sends the packets owed by now: paced by the clock, not by timer ticks, so a late tick
   * catches up. A phone does not burst a backlog: more than 100 ms behind, the sender skips
   * ahead (the skipped packets are never sent, so they do not count as lost).
   */
  sendDue(now = Date.now()): void {
    if (!this.remote) return;
    const owed = Math.floor((now - this.startedAt) / PACKET_MS) + 1;
    if (owed - this.due > MAX_BURST) {
      const skipped = owed - MAX_BURST - this.due;
      this.timestamp = (this.timestamp + skipped * SAMPLES_PER_PACKET) >>> 0;
      this.due = owed - MAX_BURST;
    }
    for (; this.due < owed; this.due++) this.sendVoice();
  }

  setTone(frequency: number): void {
    this.frequency = frequency;
  }

  /** Sends one digit as RFC 4733 events (voice paused meanwhile), with the usual three end packets. */
  async sendDigit(digit: string, durationMs = 100): Promise<void> {
    const event = '0123456789*#'.indexOf(digit);
    if (event < 0) throw new Error(`not a DTMF digit: ${digit}`);
    this.muted = true;
    const eventTimestamp = this.timestamp;
    const steps = Math.max(1, Math.round(durationMs / PACKET_MS));
    for (let step = 1; step <= steps + 2; step++) {
      const end = step >= steps;
      const payload = Buffer.alloc(4);
      payload[0] = event;
      payload[1] = (end ? 0x80 : 0) | 10;
      payload.writeUInt16BE(Math.min(steps, step) * SAMPLES_PER_PACKET, 2);
      this.send(PT_TELEPHONE_EVENT, eventTimestamp, payload, step === 1);
      if (step <= steps) await new Promise((resolve) => setTimeout(resolve, PACKET_MS));
    }
    this.timestamp = (eventTimestamp + steps * SAMPLES_PER_PACKET) >>> 0;
    this.muted = false;
  }

  /** Received voice samples that arrived in [fromMs, toMs), back to back. */
  samplesBetween(fromMs: number, toMs: number): Int16Array {
    const packets = this.received.filter((packet) => packet.payloadType === PT_PCMU && packet.arrivalMs >= fromMs && packet.arrivalMs < toMs);
    const out = new Int16Array(packets.length * SAMPLES_PER_PACKET);
    packets.forEach((packet, index) => out.set(packet.samples, index * SAMPLES_PER_PACKET));
    return out;
  }

  receivedEvents(fromMs = 0): number {
    return this.received.filter((packet) => packet.payloadType === PT_TELEPHONE_EVENT && packet.arrivalMs >= fromMs).length;
  }

  stop(): void {
    clearInterval(this.timer);
    this.remote = undefined;
  }

  close(): Promise<void> {
    this.stop();
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private sendVoice(): void {
    if (this.muted) return;
    const payload = Buffer.alloc(SAMPLES_PER_PACKET);
    for (let index = 0; index < SAMPLES_PER_PACKET; index++) {
      // -12 dBFS: well clear of clipping, well above the μ-law floor.
      const sample = this.frequency === 0 ? 0 : 8000 * Math.sin(this.phase);
      this.phase += (2 * Math.PI * this.frequency) / 8000;
      payload[index] = linearToUlaw(sample);
    }
    this.phase %= 2 * Math.PI;
    this.send(PT_PCMU, this.timestamp, payload, false);
    this.timestamp = (this.timestamp + SAMPLES_PER_PACKET) >>> 0;
    this.sent++;
  }

  private send(payloadType: number, timestamp: number, payload: Buffer, marker: boolean): void {
    if (!this.remote) return;
    const header = Buffer.alloc(12);
    header[0] = 0x80;
    header[1] = payloadType | (marker ? 0x80 : 0);
    header.writeUInt16BE(this.sequence, 2);
    this.sequence = (this.sequence + 1) & 0xffff;
    header.writeUInt32BE(timestamp, 4);
    header.writeUInt32BE(this.ssrc, 8);
    this.socket.send(Buffer.concat([header, payload]), this.remote.port, this.remote.address);
  }

  private receive(message: Buffer): void {
    if (message.length < 12 || message[0]! >> 6 !== 2) return;
    const payloadType = message[1]! & 0x7f;
    if (payloadType === PT_PCMU) this.receivedVoice++;
    if (!(this.options.keepReceived ?? true)) return;
    const payload = message.subarray(12 + (message[0]! & 0x0f) * 4);
    const samples = new Int16Array(payload.length);
    decodeG711(payloadType, payload, samples, 0);
    this.received.push({ arrivalMs: Date.now(), payloadType, samples });
  }
}
