import { describe, expect, it } from 'vitest';
import { popConfigSchema, type PopConfigInput } from '../../platform/config/pop-schema.js';
import { hostPort } from '../../platform/config/ip-literal.js';
import { rtpengineArgs, rtpengineMetricsUrl } from './rtpengine-args.js';

function pop(rtpengine: Partial<PopConfigInput['rtpengine']> = {}, level: 'info' | 'debug' | 'warn' = 'info') {
  return popConfigSchema.parse({
    pop: { id: 'lab1-a', region: 'lab' },
    sip: { listeners: [{ name: 'udp', transport: 'udp', address: '127.0.0.1', port: 5060 }] },
    engine: { secret: 's' },
    rtpengine: {
      httpPort: 9101,
      interfaces: [{ name: 'pub', address: '127.0.0.1' }],
      portMin: 30000,
      portMax: 30999,
      ...rtpengine,
    },
    routingCore: { sipUri: 'sip:127.0.0.1:5070', listener: { transport: 'udp', address: '127.0.0.1', port: 5062 } },
    ops: { port: 9090 },
    logging: { level },
    stateDir: '/var/lib/vpop',
  } satisfies PopConfigInput);
}

describe('rtpengineArgs', () => {
  it('generates the flags proven on rtpengine 10.5 userspace, config file disabled', () => {
    expect(rtpengineArgs(pop())).toEqual([
      '--config-file=none',
      '--foreground',
      '--log-stderr',
      '--no-log-timestamps',
      '--log-level=5',
      '--log-level-http=5',
      '--table=-1',
      '--interface=pub/127.0.0.1',
      '--listen-ng=127.0.0.1:22222',
      '--listen-http=127.0.0.1:9101',
      '--port-min=30000',
      '--port-max=30999',
      '--num-threads=2',
      '--recording-method=pcap',
      // Clear segments wait outside the recordings directory until they are joined and encrypted.
      '--recording-dir=/var/lib/vpop/recording-spool',
      '--delete-delay=0',
      '--timeout=60',
      '--pidfile=/var/lib/vpop/rtpengine.pid',
    ]);
  });

  it('adds the CLI, the DTMF log destination, advertised addresses and several interfaces', () => {
    const args = rtpengineArgs(pop({
      ngAddress: '127.0.0.9',
      ngPort: 2223,
      cliPort: 2224,
      dtmfLogPort: 2225,
      threads: 4,
      recordingDir: '/srv/rec',
      interfaces: [
        { name: 'inside', address: '127.0.0.1' },
        { name: 'outside', address: '127.0.0.2', advertisedAddress: '203.0.113.7' },
        { name: 'v6', address: '::1' },
      ],
    }, 'debug'));
    expect(args).toContain('--log-level=7');
    expect(args).toContain('--log-level-http=7');
    expect(args).toContain('--listen-ng=127.0.0.9:2223');
    expect(args).toContain('--listen-cli=127.0.0.9:2224');
    expect(args).toContain('--dtmf-log-dest=127.0.0.9:2225');
    expect(args).toContain('--num-threads=4');
    expect(args).toContain('--recording-dir=/var/lib/vpop/recording-spool');
    expect(args.filter((arg) => arg.startsWith('--interface='))).toEqual([
      '--interface=inside/127.0.0.1',
      '--interface=outside/127.0.0.2!203.0.113.7',
      '--interface=v6/::1',
    ]);
  });

  it('brackets IPv6 control addresses', () => {
    expect(hostPort('::1', 22222)).toBe('[::1]:22222');
    const args = rtpengineArgs(pop({ ngAddress: '::1' }));
    expect(args).toContain('--listen-ng=[::1]:22222');
    expect(args).toContain('--listen-http=[::1]:9101');
    expect(rtpengineMetricsUrl(pop({ ngAddress: '::1' }))).toBe('http://[::1]:9101/metrics');
  });
});
