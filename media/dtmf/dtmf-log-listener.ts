// The UDP socket rtpengine sends its DTMF log to (--dtmf-log-dest): parses each datagram
// and hands the digit on. Datagrams from anywhere but rtpengine's address are dropped.
import { createSocket, type Socket } from 'node:dgram';
import { parseDtmfLogDatagram, type DtmfEvent } from './dtmf-log-event.js';

export class DtmfLogListener {
  private constructor(private readonly socket: Socket) {}

  /** Binds address:port (port 0 picks one) and calls onDigit for each digit rtpengine reports. */
  static async listen(options: { address: string; port: number; rtpengineAddress: string }, onDigit: (event: DtmfEvent) => void): Promise<DtmfLogListener> {
    const socket = createSocket(options.address.includes(':') ? 'udp6' : 'udp4');
    socket.on('message', (datagram, from) => {
      if (from.address !== options.rtpengineAddress) return;
      const event = parseDtmfLogDatagram(datagram);
      if (event) onDigit(event);
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(options.port, options.address, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new DtmfLogListener(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
