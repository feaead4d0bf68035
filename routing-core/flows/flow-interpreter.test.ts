// Every activity and every error branch of the interpreter, on a scripted caller (the call
// port's test side) and a real local HTTP server for the HTTP request activity.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCoreFile } from '../provisioning/load-core-file.js';
import type { CallPort, QueueOutcome, QueueRequest } from './call-port.js';
import { flowSchema, type Flow } from './flow-schema.js';
import { runFlow } from './flow-interpreter.js';

type CollectAnswer = string | 'timeout' | 'hangup';

class ScriptedCall implements CallPort {
  readonly actions: string[] = [];
  readonly screenPops: Array<Record<string, unknown>> = [];
  readonly queued: QueueRequest[] = [];
  constructor(private readonly answers: CollectAnswer[] = [], private readonly queueOutcome: QueueOutcome = { kind: 'ended' }, private readonly hangUpOnPlay?: string) {}

  async play(prompt: string): Promise<'done' | 'hangup'> {
    this.actions.push(`play ${prompt}`);
    return prompt === this.hangUpOnPlay ? 'hangup' : 'done';
  }
  async collect(prompt: string): Promise<{ digits: string } | 'timeout' | 'hangup'> {
    this.actions.push(`collect ${prompt}`);
    const answer = this.answers.shift() ?? 'timeout';
    return answer === 'timeout' || answer === 'hangup' ? answer : { digits: answer };
  }
  async queue(request: QueueRequest): Promise<QueueOutcome> {
    this.actions.push(`queue ${request.queueId}`);
    this.queued.push(request);
    if (this.queueOutcome.kind === 'ended') request.onAgentAnswered();
    return this.queueOutcome;
  }
  async queueInfo(): Promise<{ position?: number; estimatedWaitSeconds?: number; agentsAvailable: number }> {
    return { position: 3, estimatedWaitSeconds: 450, agentsAvailable: 0 };
  }
  async callback(queueId: string, number: string): Promise<'scheduled'> {
    this.actions.push(`callback ${queueId} ${number}`);
    return 'scheduled';
  }
  async transfer(target: { number: string } | { entryPoint: string }): Promise<'done'> {
    this.actions.push(`transfer ${'number' in target ? target.number : `entry point ${target.entryPoint}`}`);
    return 'done';
  }
  async disconnect(): Promise<void> {
    this.actions.push('disconnect');
  }
  screenPop(data: Record<string, unknown>): void {
    this.screenPops.push(data);
  }
}

const flow = (activities: unknown[], extra: Record<string, unknown> = {}): Flow =>
  flowSchema.parse({ id: 'f', start: (activities[0] as { id: string }).id, activities, ...extra });
const bye = { id: 'bye', type: 'disconnect' };
const oops = { id: 'oops', type: 'play', prompt: 'prompts/oops', next: 'bye' };

let server: Server;
let base: string;
const requests: Array<{ method?: string; url?: string; body: string }> = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      requests.push({ method: request.method, url: request.url, body });
      const url = new URL(request.url ?? '/', 'http://x');
      if (url.pathname === '/customer') {
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ name: 'Ada', tier: url.searchParams.get('caller') === '15551230001' ? 'gold' : 'basic' }));
      } else if (url.pathname === '/xml') {
        response.end('<account id="42"><balance>17.50</balance></account>');
      } else if (url.pathname === '/echo') {
        response.end(body);
      } else if (url.pathname === '/slow') {
        setTimeout(() => response.end('{}'), 2_000).unref();
      } else if (url.pathname === '/broken') {
        response.end('{"not json');
      } else {
        response.statusCode = 500;
        response.end('{"error":"down"}');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('flow interpreter', () => {
  it('runs the demo IVR: welcome, menu "2", support queue with a screen pop, goodbye', async () => {
    const demo = loadCoreFile(new URL('../../configs/core/local.yaml', import.meta.url).pathname).flows[0] as Flow;
    const call = new ScriptedCall(['7', '2']);
    const run = await runFlow(demo, call);
    expect(call.actions).toEqual([
      'play prompts/welcome', 'collect prompts/menu-sales-support', 'play prompts/invalid-choice', 'collect prompts/menu-sales-support', 'queue support', 'disconnect',
    ]);
    expect(call.screenPops).toEqual([{ choice: 'support' }]);
    expect(run.end).toEqual({ kind: 'disconnected' });
    expect(run.path).toEqual(['welcome', 'menu', 'menu-again', 'menu', 'choose-support', 'to-support', 'goodbye']);
  });

  it('menu: no input and no match take their branches', async () => {
    const menu = flow([{ id: 'm', type: 'menu', prompt: 'p', options: { 1: 'one' }, noInput: 'silent', noMatch: 'wrong' },
      { id: 'one', type: 'disconnect' }, { id: 'silent', type: 'play', prompt: 'silent', next: 'bye' }, { id: 'wrong', type: 'play', prompt: 'wrong', next: 'bye' }, bye]);
    expect((await runFlow(menu, new ScriptedCall(['timeout']))).path).toEqual(['m', 'silent', 'bye']);
    expect((await runFlow(menu, new ScriptedCall(['9']))).path).toEqual(['m', 'wrong', 'bye']);
    expect((await runFlow(menu, new ScriptedCall(['1']))).path).toEqual(['m', 'one']);
  });

  it('collect: digits into a variable; too few digits or silence is no input; sensitive digits stay masked', async () => {
    const collect = flow([
      { id: 'card', type: 'collect', prompt: 'card', variable: 'card', minDigits: 16, maxDigits: 16, sensitive: true, next: 'check', noInput: 'none' },
      { id: 'check', type: 'condition', expression: '$length(card) = 16 and $substring(card, 0, 1) = "4"', then: 'visa', else: 'bye', error: 'bye' },
      { id: 'visa', type: 'setVariable', variable: 'brand', expression: '"visa"', next: 'q', error: 'bye' },
      { id: 'q', type: 'queue', queue: 'payments', next: 'bye', error: 'bye' },
      { id: 'none', type: 'play', prompt: 'none', next: 'bye' }, bye,
    ], { events: { agentAnswered: { screenPop: ['card', 'brand'] } } });
    const call = new ScriptedCall(['4111111111111111']);
    const run = await runFlow(collect, call);
    expect(run.path).toEqual(['card', 'check', 'visa', 'q', 'bye']);
    expect(call.screenPops).toEqual([{ card: '****', brand: 'visa' }]);
    expect(run.variables).toEqual({ card: '****', brand: 'visa' });
    expect(JSON.stringify(run.variables)).not.toContain('4111');
    expect((await runFlow(collect, new ScriptedCall(['411']))).path).toEqual(['card', 'none', 'bye']);
    expect((await runFlow(collect, new ScriptedCall(['timeout']))).path).toEqual(['card', 'none', 'bye']);
  });

  it('set variable and condition: a runtime error takes the error branch with the reason in lastError', async () => {
    const errors = flow([
      { id: 'bad-set', type: 'setVariable', variable: 'n', expression: '$error("no rate for this caller")', next: 'bye', error: 'bad-cond' },
      { id: 'bad-cond', type: 'condition', expression: '$number("x")', then: 'bye', else: 'bye', error: 'oops' },
      oops, bye,
    ]);
    const run = await runFlow(errors, new ScriptedCall());
    expect(run.path).toEqual(['bad-set', 'bad-cond', 'oops', 'bye']);
    expect(String(run.variables.lastError)).toMatch(/number/i);
  });

  it('HTTP GET with JSON: URL placeholders, response mapped into variables, $status', async () => {
    const lookup = flow([
      { id: 'who', type: 'http', url: `${base}/customer?caller={caller}`, assign: { customer: 'name', tier: 'tier', code: '$status' }, next: 'bye', error: 'oops' },
      oops, bye,
    ]);
    const run = await runFlow(lookup, new ScriptedCall(), { variables: { caller: '15551230001' } });
    expect(run.variables).toMatchObject({ customer: 'Ada', tier: 'gold', code: 200, httpStatus: 200 });
    expect(requests.at(-1)).toMatchObject({ method: 'GET', url: '/customer?caller=15551230001' });
  });

  it('HTTP POST with a JSON body and an XML response', async () => {
    const post = flow([
      { id: 'send', type: 'http', method: 'POST', url: `${base}/echo`, body: '{"account": account, "amount": 5}', assign: { echoed: 'amount' }, next: 'xml', error: 'oops' },
      { id: 'xml', type: 'http', url: `${base}/xml`, parse: 'xml', assign: { balance: 'account.balance', id: 'account."@_id"' }, next: 'bye', error: 'oops' },
      oops, bye,
    ]);
    const run = await runFlow(post, new ScriptedCall(), { variables: { account: 'A1' } });
    expect(run.path).toEqual(['send', 'xml', 'bye']);
    expect(requests.find((request) => request.url === '/echo')?.body).toBe('{"account":"A1","amount":5}');
    expect(run.variables).toMatchObject({ echoed: 5, balance: 17.5, id: '42' });
  });

  it('HTTP errors take the error branch: status 500, timeout, invalid JSON, connection refused', async () => {
    const reasons: string[] = [];
    for (const url of [`${base}/fail`, `${base}/slow`, `${base}/broken`, 'http://127.0.0.1:1/']) {
      const failing = flow([{ id: 'h', type: 'http', url, timeoutSeconds: 0.3, next: 'bye', error: 'oops' }, oops, bye]);
      const run = await runFlow(failing, new ScriptedCall());
      expect(run.path).toEqual(['h', 'oops', 'bye']);
      reasons.push(String(run.variables.lastError));
    }
    expect(reasons[0]).toBe('HTTP 500');
    expect(reasons[1]).toBe('no answer within 0.3 s');
    expect(reasons[2]).toMatch(/^response is not valid JSON/);
    expect(reasons[3]).toMatch(/^request failed/);
  });

  it('queue: overflow branch, no overflow branch is an error, a failed queue is an error', async () => {
    const queued = (outcome: QueueOutcome, overflow?: string) => runFlow(flow([
      { id: 'q', type: 'queue', queue: 'sales', next: 'bye', error: 'oops', ...(overflow ? { overflow } : {}) },
      { id: 'full', type: 'transfer', number: '18005550177', error: 'oops' }, oops, bye,
    ]), new ScriptedCall([], outcome));
    expect((await queued({ kind: 'overflow' }, 'full')).path).toEqual(['q', 'full']);
    expect((await queued({ kind: 'overflow' }, 'full')).end).toEqual({ kind: 'transferred' });
    expect((await queued({ kind: 'overflow' })).path).toEqual(['q', 'oops', 'bye']);
    expect((await queued({ kind: 'failed', reason: 'no such queue' })).path).toEqual(['q', 'oops', 'bye']);
    expect((await queued({ kind: 'redirected' })).path).toEqual(['q', 'bye']);
  });

  it('queue to agent asks the port for that agent; queue info sets position, wait and agents available', async () => {
    const call = new ScriptedCall();
    const run = await runFlow(flow([
      { id: 'info', type: 'queueInfo', queue: 'sales', next: 'agent', error: 'oops' },
      { id: 'agent', type: 'queueToAgent', agent: 'alice', next: 'bye', error: 'oops' }, oops, bye,
    ]), call);
    expect(run.variables).toMatchObject({ queuePosition: 3, estimatedWaitSeconds: 450, agentsAvailable: 0 });
    expect(call.queued[0]).toMatchObject({ targetAgentId: 'alice' });
  });

  it('callback: to the caller by default, a number that is not a phone number takes the error branch', async () => {
    const call = new ScriptedCall();
    const run = await runFlow(flow([{ id: 'cb', type: 'callback', queue: 'sales', next: 'bye', error: 'oops' }, oops, bye]), call, { variables: { caller: '15551230001' } });
    expect(run.end).toEqual({ kind: 'callback' });
    expect(call.actions).toEqual(['callback sales 15551230001']);
    const bad = await runFlow(flow([{ id: 'cb', type: 'callback', queue: 'sales', number: '"anonymous"', next: 'bye', error: 'oops' }, oops, bye]), new ScriptedCall());
    expect(bad.path).toEqual(['cb', 'oops', 'bye']);
  });

  it('transfer to a number or an entry point; goto an activity or another flow', async () => {
    const other = flowSchema.parse({ id: 'other', start: 'x', activities: [{ id: 'x', type: 'transfer', entryPoint: 'main', error: 'y' }, { id: 'y', type: 'disconnect' }] });
    const call = new ScriptedCall();
    const run = await runFlow(flow([{ id: 'g', type: 'goto', activity: 'h' }, { id: 'h', type: 'goto', flow: 'other' }]), call, { flowById: (id) => (id === 'other' ? other : undefined) });
    expect(run.path).toEqual(['g', 'h', 'other:x']);
    expect(call.actions).toEqual(['transfer entry point main']);
    expect(run.end).toEqual({ kind: 'transferred' });
  });

  it('an error with no branch plays the error prompt and disconnects (no dead air); so does a loop', async () => {
    const call = new ScriptedCall();
    const run = await runFlow(flow([{ id: 'g', type: 'goto', flow: 'missing' }], { errorPrompt: 'prompts/sorry' }), call);
    expect(run.end).toEqual({ kind: 'failed', activityId: 'g', reason: 'no flow "missing"' });
    expect(call.actions).toEqual(['play prompts/sorry', 'disconnect']);
    const loop = new ScriptedCall();
    const looped = await runFlow(flow([{ id: 'spin', type: 'condition', expression: 'true', then: 'spin', else: 'spin', error: 'spin' }]), loop, { maxSteps: 50 });
    expect(looped.end).toMatchObject({ kind: 'failed', activityId: 'spin' });
    expect(loop.actions).toEqual(['play prompts/technical-difficulty', 'disconnect']);
  });

  it('caller hangs up: the callerHangup handler runs without media (an HTTP notification here)', async () => {
    const call = new ScriptedCall([], { kind: 'ended' }, 'prompts/long-message');
    const run = await runFlow(flow([
      { id: 'talk', type: 'play', prompt: 'prompts/long-message', next: 'bye' },
      { id: 'notify', type: 'http', method: 'POST', url: `${base}/echo`, body: '{"hungUp": interaction}', next: 'done', error: 'done' },
      { id: 'done', type: 'setVariable', variable: 'notified', expression: 'true', next: 'bye', error: 'bye' }, bye,
    ], { events: { callerHangup: 'notify' } }), call, { variables: { interaction: 'i-9' } });
    expect(run.end).toEqual({ kind: 'hangup' });
    expect(run.path).toEqual(['talk', 'notify', 'done', 'bye']);
    expect(call.actions).toEqual(['play prompts/long-message']);
    expect(run.variables.notified).toBe(true);
    expect(requests.at(-1)?.body).toBe('{"hungUp":"i-9"}');
  });

  it('a sensitive value prints masked in JSON, strings and inspection', async () => {
    const run = await runFlow(flow([{ id: 's', type: 'setVariable', variable: 'pin', expression: '"1234"', next: 'bye', error: 'bye' }, bye], { sensitive: ['pin'] }), new ScriptedCall());
    expect(run.variables.pin).toBe('****');
    const { SensitiveValue } = await import('./sensitive-value.js');
    const value = new SensitiveValue('1234');
    expect([JSON.stringify({ value }), String(value), inspect(value)].join(' ')).not.toContain('1234');
    expect(value.open()).toBe('1234');
  });
});
