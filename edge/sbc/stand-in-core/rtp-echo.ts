// An RTP endpoint that sends every packet back where it came from: whoever calls the
// stand-in core hears themselves, which proves audio both ways without a second party.
import { createSocket, type Socket } from 'node:dgram';

export class RtpEcho {
  private constructor(private readonly socket: Socket, readonly address: string, readonly port: number) {}

  static async open(address: string): Promise<RtpEcho> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, address, () => { socket.off('error', reject); resolve(); });
    });
    socket.on('message', (packet, from) => socket.send(packet, from.port, from.address));
    // A send to a peer that went away is not the echo's problem.
    socket.on('error', () => undefined);
    return new RtpEcho(socket, address, socket.address().port);
  }

  /** The SDP answer for this endpoint: G.711 and RFC 4733 events, as offered by the edge. */
  answer(): string {
    return [
      'v=0', `o=stand-in-core 1 1 IN IP4 ${this.address}`, 's=VPOP stand-in core (echo)', `c=IN IP4 ${this.address}`, 't=0 0',
      `m=audio ${this.port} RTP/AVP 0 8 101`, 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000',
      'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-16', 'a=sendrecv', '',
    ].join('\r\n');
  }

  close(): void {
    this.socket.close();
  }
}
