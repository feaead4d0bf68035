import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from './free-port.js';
import { describeSippRun, parseSippStatisticsCsv, runSipp, sippArguments, startSipp, type SippProcess } from './sipp.js';

const header = 'StartTime;TotalCallCreated;SuccessfulCall(P);SuccessfulCall(C);FailedCall(P);FailedCall(C);FailedUnexpectedMessage(P);FailedUnexpectedMessage(C);FailedTimeoutOnRecv(C);Retransmissions(C);OutOfCallMsgs(C);DeadCallMsgs(C)';

describe('parseSippStatisticsCsv', () => {
  it('reads the cumulative counters of the last row', () => {
    const csv = `${header}\nt0;3;1;1;0;0;0;0;0;0;0;0\nt1;5;2;3;1;2;1;1;1;4;1;0\n`;
    expect(parseSippStatisticsCsv(csv)).toEqual({
      totalCallsCreated: 5,
      successfulCalls: 3,
      failedCalls: 2,
      retransmissions: 4,
      outOfCallMessages: 1,
      deadCallMessages: 0,
      failuresByCause: { FailedUnexpectedMessage: 1, FailedTimeoutOnRecv: 1 },
    });
  });

  it('returns undefined without a data row', () => {
    expect(parseSippStatisticsCsv(`${header}\n`)).toBeUndefined();
    expect(parseSippStatisticsCsv('')).toBeUndefined();
  });
});

describe('sippArguments', () => {
  const logs = { dir: '/l', statistics: '/l/s', messages: '/l/m', errors: '/l/e', callDebug: '/l/c', screen: '/l/x', stdout: '/l/o' };
  it('maps built-in and file scenarios, keys and limits to SIPp flags', () => {
    const builtIn = sippArguments({ scenario: 'uac', target: '127.0.0.1:5060', localAddress: '127.0.0.1', localPort: 7000, transport: 't1', calls: 5, rate: 2, rateLimit: 9, timeoutSeconds: 10 }, logs, 7001);
    expect(builtIn.slice(0, 3)).toEqual(['-sn', 'uac', '127.0.0.1:5060']);
    expect(builtIn.join(' ')).toContain('-t t1 -mi 127.0.0.1 -ci 127.0.0.1 -cp 7001 -m 5 -r 2 -l 9');
    expect(builtIn.join(' ')).toContain('-timeout 10s -timeout_error -nostdin');
    const fromFile = sippArguments({ scenario: '/x/a.xml', localAddress: '127.0.0.2', localPort: 7000, transport: 'u1', timeoutSeconds: 3, vars: { callee: 'bob' }, traceMessages: false }, logs, 7001);
    expect(fromFile.slice(0, 2)).toEqual(['-sf', '/x/a.xml']);
    expect(fromFile.join(' ')).toContain('-key callee bob');
    expect(fromFile).not.toContain('-trace_msg');
  });
});

describe('SIPp against itself', () => {
  let uas: SippProcess | undefined;
  afterEach(async () => {
    await uas?.stop();
    uas = undefined;
  });

  for (const transport of ['u1', 't1'] as const) {
    it(`completes 20 built-in calls over ${transport === 'u1' ? 'UDP' : 'TCP'} with none failed`, async () => {
      const uasPort = await freePort();
      uas = await startSipp({ scenario: 'uas', localAddress: '127.0.0.1', localPort: uasPort, transport, calls: 20, timeoutSeconds: 30 });
      const uac = await runSipp({
        scenario: 'uac',
        target: `127.0.0.1:${uasPort}`,
        localAddress: '127.0.0.1',
        localPort: await freePort(),
        transport,
        calls: 20,
        rate: 20,
        timeoutSeconds: 30,
      });
      const uasResult = await uas.result;
      expect(uac.statistics?.successfulCalls, await describeSippRun('uac', uac)).toBe(20);
      expect(uac.statistics?.failedCalls).toBe(0);
      expect(uac.exitCode).toBe(0);
      // The built-in uas keeps each call 4 s in timewait; over TCP the UAC's exit closes the
      // connection under the last call, which SIPp counts as FailedTcpClosed. Nothing else may fail.
      const uasStatistics = uasResult.statistics;
      const uasReport = await describeSippRun('uas', uasResult);
      expect(uasStatistics?.successfulCalls, uasReport).toBeGreaterThanOrEqual(transport === 'u1' ? 20 : 19);
      expect(Object.keys(uasStatistics?.failuresByCause ?? {}).filter((cause) => cause !== 'FailedTcpClosed'), uasReport).toEqual([]);
    });
  }

  it('reports a failed run when nothing answers', async () => {
    const uac = await runSipp({
      scenario: 'uac',
      target: `127.0.0.1:${await freePort()}`,
      localAddress: '127.0.0.1',
      localPort: await freePort(),
      transport: 'u1',
      calls: 1,
      timeoutSeconds: 2,
      extraArgs: ['-recv_timeout', '1000'],
    });
    expect(uac.exitCode).not.toBe(0);
    expect(uac.statistics?.successfulCalls ?? 0).toBe(0);
  });
});
