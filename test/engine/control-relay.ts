// A TCP relay between a drachtio-srf app and the engine's control port that can
// stall the engine→app direction, as an app busy for a while (GC, a slow handler)
// would: everything the engine writes meanwhile reaches the app in one read.
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export class ControlRelay {
  private held: Buffer[] | undefined;
  private appSide: Socket | undefined;
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server, readonly port: number) {}

  /**
   * `holdWhen(chunk)` is asked about each engine→app chunk: when it says yes, that chunk and
   * all after it are held until release().
   */
  static async open(enginePort: number, holdWhen: (chunk: Buffer) => boolean): Promise<ControlRelay> {
    const created: { relay?: ControlRelay } = {};
    const server = createServer((app) => {
      const engine = createConnection({ host: '127.0.0.1', port: enginePort });
      const self = created.relay!;
      self.appSide = app;
      self.sockets.add(app).add(engine);
      app.on('data', (chunk) => engine.write(chunk));
      engine.on('data', (chunk) => {
        if (self.held === undefined && holdWhen(chunk)) self.held = [];
        if (self.held !== undefined) self.held.push(chunk);
        else app.write(chunk);
      });
      const close = (): void => { app.destroy(); engine.destroy(); };
      app.on('close', close).on('error', close);
      engine.on('close', close).on('error', close);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const relay = new ControlRelay(server, typeof address === 'object' && address ? address.port : 0);
    created.relay = relay;
    return relay;
  }

  get holding(): boolean {
    return this.held !== undefined;
  }

  /** Pass everything held to the app in a single write (one read on its side). */
  release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    if (held.length > 0) this.appSide?.write(Buffer.concat(held));
  }

  close(): void {
    for (const socket of this.sockets) socket.destroy();
    this.server.close();
  }
}
