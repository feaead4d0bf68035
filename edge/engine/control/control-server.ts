// The drachtio control-protocol server: drachtio-srf apps connect in inbound
// mode (`srf.connect({host, port, secret})`), authenticate with the shared
// secret, route verbs, and exchange SIP through the engine. This module owns
// the connections and the protocol bookkeeping; SIP semantics are delegated to
// the ControlHandler (the UA core).
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import pino from 'pino';
import { ControlFrameReader, DEFAULT_MAX_FRAME_BYTES } from './control-frame.js';
import { parseAppMessage, formatCdr, stackTime, type AppMessage, type CdrEvent } from './control-message.js';
import { AppSession } from './app-session.js';
import { RouteTable } from './route-table.js';

export type AppSipCommand = Extract<AppMessage, { type: 'sip' }>;
export type AppProxyCommand = Extract<AppMessage, { type: 'proxy' }>;

/** What the engine does with the SIP traffic of apps. */
export interface ControlHandler {
  onAppSip(app: AppSession, command: AppSipCommand): void;
  onAppProxy(app: AppSession, command: AppProxyCommand): void;
  onAppGone(app: AppSession): void;
  /** The ids among `ids` of dialogs the engine holds (an app's audit after a reconnect). */
  existingDialogIds?(ids: readonly string[]): string[];
}

export interface ControlServerOptions {
  address: string;
  port: number;
  secret: string;
  /** Serve the control protocol over TLS instead of plain TCP. */
  tls?: TlsOptions;
  /** SIP endpoints reported to apps on authentication, e.g. `udp/127.0.0.1:5060`. */
  hostports: () => string[];
  /** The same endpoints as bound locally (before any public address); defaults to hostports. */
  localHostports?: () => string[];
  /** Version reported to apps; drachtio-srf enables pinging from v0.8.2. */
  version?: string;
  maxFrameBytes?: number;
  /** Time an app has to authenticate after connecting. */
  authTimeoutMs?: number;
  /** Connections not yet authenticated held at once; more are closed at accept (default 16). */
  maxUnauthenticatedConnections?: number;
  logger?: Logger;
}

export const ENGINE_PROTOCOL_VERSION = 'v0.9.2';

const DEFAULT_MAX_UNAUTHENTICATED_CONNECTIONS = 16;

/** Before authentication only an `authenticate` frame is valid: a secret and a few tags. */
const UNAUTHENTICATED_MAX_FRAME_BYTES = 4096;

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

export class ControlServer {
  private server: Server | undefined;
  private readonly apps = new Set<AppSession>();
  readonly routes = new RouteTable<AppSession>();
  private nextAppId = 1;
  private unauthenticated = 0;
  private readonly secretDigest: Buffer;
  private readonly logger: Logger;

  constructor(
    private readonly options: ControlServerOptions,
    private readonly handler: ControlHandler,
  ) {
    this.secretDigest = digest(options.secret);
    this.logger = options.logger ?? pino({ level: 'silent' });
  }

  async start(): Promise<void> {
    const onSocket = (socket: Socket): void => this.accept(socket);
    const server = this.options.tls ? createTlsServer(this.options.tls, onSocket) : createServer(onSocket);
    server.on('error', (err) => this.logger.error({ err }, 'control server error'));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.address, () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  /** The bound port (useful when started on port 0). */
  get port(): number {
    const address = this.server?.address();
    return typeof address === 'object' && address ? address.port : this.options.port;
  }

  get connectedApps(): number {
    return this.apps.size;
  }

  async stop(): Promise<void> {
    for (const app of this.apps) app.socket.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Choose the app for a new request from the network, round-robin among those routing the verb. */
  selectApp(verb: string, tag?: string): AppSession | undefined {
    return this.routes.select(verb, tag);
  }

  /** Send a CDR event to every app that routed `cdr:<event>`. */
  publishCdr(event: CdrEvent, source: string, sip: string, detail?: string): void {
    const apps = this.routes.appsFor(`cdr:${event}`);
    if (apps.length === 0) return;
    const time = stackTime();
    for (const app of apps) app.send(formatCdr(app.nextMsgId(), event, source, time, sip, detail));
  }

  private accept(socket: Socket): void {
    // Unauthenticated connections cost memory and a timer each: bounded, so opening many cannot
    // starve the apps that hold the secret (which connect once and stay).
    if (this.unauthenticated >= (this.options.maxUnauthenticatedConnections ?? DEFAULT_MAX_UNAUTHENTICATED_CONNECTIONS)) {
      this.logger.debug({ remote: socket.remoteAddress }, 'closing control connection: too many unauthenticated connections');
      socket.destroy();
      return;
    }
    this.unauthenticated++;
    socket.setNoDelay(true);
    socket.setKeepAlive(true);
    const app = new AppSession(this.nextAppId++, socket);
    this.apps.add(app);
    const reader = new ControlFrameReader({
      maxFrameBytes: Math.min(UNAUTHENTICATED_MAX_FRAME_BYTES, this.options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES),
    });
    let counted = true;
    const leavePending = (): void => {
      if (counted) this.unauthenticated--;
      counted = false;
    };
    const authTimer = setTimeout(() => {
      if (!app.authenticated) socket.destroy();
    }, this.options.authTimeoutMs ?? 5000);
    authTimer.unref();
    socket.on('data', (chunk: Buffer) => {
      let payloads: string[];
      try {
        payloads = reader.push(chunk);
      } catch (err) {
        this.logger.warn({ app: app.remote, err: (err as Error).message }, 'closing app connection: bad framing');
        socket.destroy();
        return;
      }
      for (const payload of payloads) {
        if (socket.destroyed) return;
        this.onPayload(app, payload);
      }
      if (app.authenticated && counted) {
        leavePending();
        reader.maxFrameBytes = this.options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
      }
    });
    socket.on('error', (err) => this.logger.debug({ app: app.remote, err: err.message }, 'app connection error'));
    socket.on('close', () => {
      leavePending();
      clearTimeout(authTimer);
      this.apps.delete(app);
      this.routes.removeApp(app);
      if (app.authenticated) this.handler.onAppGone(app);
    });
  }

  private onPayload(app: AppSession, payload: string): void {
    let message: AppMessage;
    try {
      message = parseAppMessage(payload);
    } catch (err) {
      this.logger.warn({ app: app.remote, err: (err as Error).message }, 'closing app connection: bad message');
      app.socket.destroy();
      return;
    }
    if (!app.authenticated) {
      if (message.type !== 'authenticate') {
        app.socket.destroy();
        return;
      }
      this.authenticate(app, message.msgId, message.secret, message.tags);
      return;
    }
    try {
      this.dispatch(app, message);
    } catch (err) {
      // A handler bug must cost one command, not the engine.
      this.logger.error({ app: app.remote, err }, 'error handling app command');
      app.replyNok(message.msgId, 'internal error');
    }
  }

  private authenticate(app: AppSession, msgId: string, secret: string, tags: string[]): void {
    if (!timingSafeEqual(digest(secret), this.secretDigest)) {
      this.logger.warn({ app: app.remote }, 'app failed authentication');
      app.replyNok(msgId, 'incorrect secret');
      app.socket.end();
      return;
    }
    app.authenticated = true;
    app.setTags(tags);
    const hostports = this.options.hostports().join(',');
    const local = this.options.localHostports?.().join(',') ?? hostports;
    app.replyOk(msgId, hostports, this.options.version ?? ENGINE_PROTOCOL_VERSION, local);
    this.logger.info({ app: app.remote, tags }, 'app authenticated');
  }

  private dispatch(app: AppSession, message: AppMessage): void {
    switch (message.type) {
      case 'authenticate':
        app.replyOk(message.msgId);
        return;
      case 'ping':
        app.replyOk(message.msgId, 'pong');
        return;
      case 'route':
        this.routes.add(message.verb, app);
        app.replyOk(message.msgId);
        return;
      case 'remove_route':
        this.routes.remove(message.verb, app);
        app.replyOk(message.msgId);
        return;
      case 'sip':
        this.handler.onAppSip(app, message);
        return;
      case 'proxy':
        this.handler.onAppProxy(app, message);
        return;
      case 'dialogs':
        if (this.handler.existingDialogIds) app.replyOk(message.msgId, this.handler.existingDialogIds(message.ids).join(','));
        else app.replyNok(message.msgId, 'dialogs query not supported');
        return;
      case 'response':
        // Answers to server-initiated commands exist only in outbound mode; nothing waits for them here.
        return;
    }
  }
}
