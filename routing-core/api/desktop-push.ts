// WebSocket push, one connection per desktop (ws: the maintained WebSocket server
// fastify's own plugin wraps). The token comes in the URL (?access_token=, as browsers
// cannot set headers on a WebSocket). On every (re)connection the desktop first gets a
// snapshot of what it may see, so a reconnect resumes the session where it was; then
// changes: agent states, offers to the agent, queue counts for supervisors.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { WebSocketServer, type WebSocket } from 'ws';
import { loggedOutAgent } from '../agents/agent-state.js';
import type { RealtimeEvent } from '../state/shared-state.js';
import { canSeeAgent, canSeeQueue, type Principal } from './auth/access-policy.js';
import type { ApiContext } from './api-context.js';

const DESKTOP_PATH = '/api/v1/desktop';

export function attachDesktopPush(app: FastifyInstance, context: ApiContext, authenticate: (token: string) => Promise<Principal>): () => void {
  const { runtime } = context;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(request.url ?? '/', 'http://core');
    if (url.pathname !== DESKTOP_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    authenticate(url.searchParams.get('access_token') ?? '').then((principal) => {
      wss.handleUpgrade(request, socket, head, (ws) => void serve(ws, principal));
    }, (error: Error) => {
      const body = JSON.stringify({ error: 'unauthorized', reason: error.message });
      socket.end(`HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    });
  };
  app.server.on('upgrade', onUpgrade);

  async function serve(ws: WebSocket, principal: Principal): Promise<void> {
    const send = (message: unknown): void => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    };
    const users = (): Map<string, ReturnType<typeof runtime.store.list<'users'>>[number]> => new Map(runtime.store.list('users').map((user) => [user.id, user]));
    const seesAgent = (agentId: string): boolean => {
      const user = users().get(agentId);
      return user !== undefined && canSeeAgent(principal, user);
    };
    const tenant = runtime.store.tenant();
    const queues = runtime.store.list('queues').filter((queue) => canSeeQueue(principal, queue.id));
    const unsubscribe = runtime.state.subscribe((event: RealtimeEvent) => {
      if (event.type === 'agent' && seesAgent(event.state.agentId)) send({ type: 'agent', state: event.state });
      if (event.type === 'reserved' && event.agent.agentId === principal.user.id) {
        send({ type: 'offer', interactionId: event.call.interactionId, queueId: event.call.queueId, waitedSeconds: (runtime.clock() - event.call.enqueuedAt) / 1000, callback: Boolean(event.call.callback), maskCallerNumbers: tenant.maskCallerNumbers });
      }
      if ((event.type === 'queued' || event.type === 'dequeued' || event.type === 'reserved' || event.type === 'requeued') && canSeeQueue(principal, event.call.queueId)) {
        void runtime.router.queueInfo(event.call.queueId).then((info) => send({ type: 'queue', queueId: event.call.queueId, ...info }), () => undefined);
      }
    });
    ws.on('close', unsubscribe);
    ws.on('error', unsubscribe);
    ws.on('message', (data) => {
      // The desktop only listens; a ping gets a pong so it can tell a dead link quickly.
      if (data.toString() === 'ping') send({ type: 'pong' });
    });
    const agents = (await runtime.state.agents()).filter((agent) => seesAgent(agent.agentId));
    const own = (await runtime.state.agent(principal.user.id)) ?? loggedOutAgent(principal.user.id, 0);
    send({
      type: 'snapshot',
      user: { id: principal.user.id, role: principal.profile.role },
      self: own,
      agents,
      queues: await Promise.all(queues.map(async (queue) => ({ queueId: queue.id, ...(await runtime.router.queueInfo(queue.id)) }))),
      tenant: { recording: tenant.recording, maskCallerNumbers: tenant.maskCallerNumbers },
    });
  }

  return () => {
    app.server.off('upgrade', onUpgrade);
    for (const client of wss.clients) client.terminate();
    wss.close();
  };
}
