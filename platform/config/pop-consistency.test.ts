import { describe, expect, it } from 'vitest';
import { popConsistencyProblems } from './pop-consistency.js';
import { popConfigSchema, type PopConfigInput } from './pop-schema.js';

function baseInput(): PopConfigInput {
  return {
    pop: { id: 'unit', region: 'lab' },
    sip: {
      listeners: [
        { name: 'udp', transport: 'udp', address: '127.0.0.1', port: 5060 },
        { name: 'tls', transport: 'tls', address: '127.0.0.1', port: 5061 },
      ],
    },
    tls: { certFile: 'pop.crt', keyFile: 'pop.key', generateIfMissing: true },
    engine: { secret: 's' },
    trunks: [
      { name: 'a', allow: ['127.0.0.2/32'], transports: ['tls'], maxConcurrentCalls: 1, callsPerSecond: 1 },
      { name: 'b', allow: ['2001:db8:b::/48'], transports: ['udp'], srtp: 'off', maxConcurrentCalls: 1, callsPerSecond: 1 },
    ],
    phones: { allow: ['127.0.0.5/32'], realm: 'unit' },
    rtpengine: { httpPort: 9101, interfaces: [{ name: 'lo', address: '127.0.0.1' }], portMin: 30000, portMax: 30099 },
    routingCore: { sipUri: 'sip:127.0.0.1:5070', listener: { name: 'core', transport: 'udp', address: '127.0.0.1', port: 5062 } },
    ops: { port: 9090 },
    stateDir: 'state',
  };
}

function problemsOf(edit: (input: PopConfigInput) => void): Array<{ path: string; message: string }> {
  const input = baseInput();
  edit(input);
  return popConsistencyProblems(popConfigSchema.parse(input)).map((problem) => ({ path: problem.path.join('.'), message: problem.message }));
}

describe('popConsistencyProblems', () => {
  it('finds nothing wrong with the base', () => {
    expect(problemsOf(() => undefined)).toEqual([]);
  });

  it('allows overlapping trunk allow-lists only when both trunks are told apart by client certificate', () => {
    const overlapping = (input: PopConfigInput) => {
      input.trunks?.push({ name: 'c', allow: ['127.0.0.0/30'], transports: ['tls'], maxConcurrentCalls: 1, callsPerSecond: 1, clientCert: { subject: 'c.example' } });
    };
    expect(problemsOf(overlapping)).toEqual([
      { path: 'trunks.2.allow.0', message: expect.stringMatching(/^127\.0\.0\.0\/30 of trunk "c" overlaps 127\.0\.0\.2\/32 of trunk "a"/) as unknown as string },
    ]);
    expect(problemsOf((input) => {
      overlapping(input);
      const first = input.trunks?.[0];
      if (first) first.clientCert = { fingerprintSha256: Array.from({ length: 32 }, () => 'AB').join(':') };
    })).toEqual([]);
  });

  it('finds IPv6 overlaps and phone/trunk overlaps', () => {
    expect(problemsOf((input) => {
      input.trunks?.push({ name: 'c', allow: ['2001:db8::/32'], transports: ['udp'], srtp: 'off', maxConcurrentCalls: 1, callsPerSecond: 1 });
      if (input.phones) input.phones.allow = ['2001:db8:b:1::/64'];
    }).map((problem) => problem.path)).toEqual(['trunks.2.allow.0', 'phones.allow.0', 'phones.allow.0']);
  });

  it('requires caFile for requireClientCert, and TLS for a clientCert trunk', () => {
    expect(problemsOf((input) => {
      if (input.tls) input.tls.requireClientCert = true;
      const second = input.trunks?.[1];
      if (second) second.clientCert = { subject: 'b.example' };
    })).toEqual([
      { path: 'tls.requireClientCert', message: 'requireClientCert needs caFile, the CA bundle that verifies client certificates' },
      { path: 'trunks.1.clientCert', message: 'trunk "b" is identified by client certificate but does not allow tls' },
    ]);
  });

  it('needs gateways for outbound routing and a peer that is not this POP', () => {
    expect(problemsOf((input) => {
      const first = input.trunks?.[0];
      if (first) first.outbound = { numberPrefixes: ['+1'] };
      input.redundancy = { peer: { popId: 'unit', address: '127.0.0.1' }, role: 'primary' };
    })).toEqual([
      { path: 'trunks.0.outbound', message: 'trunk "a" routes outbound numbers but has no gateways to send them to' },
      { path: 'redundancy.peer.popId', message: 'the redundancy peer cannot be this POP itself ("unit")' },
    ]);
  });

  it('reports the rtpengine control ports and dtmf port clashing with each other', () => {
    expect(problemsOf((input) => {
      input.rtpengine.cliPort = 9101;
      input.rtpengine.dtmfLogPort = 22222;
    })).toEqual([
      { path: 'rtpengine.httpPort', message: 'port 9101 on 127.0.0.1 is also used by rtpengine.cliPort (tcp) on 127.0.0.1' },
      { path: 'rtpengine.dtmfLogPort', message: 'port 22222 on 127.0.0.1 is also used by rtpengine.ngPort (udp) on 127.0.0.1' },
    ]);
  });

  it('reports duplicate listener, interface and phone user names at the second one', () => {
    expect(problemsOf((input) => {
      input.sip.listeners.push({ name: 'udp', transport: 'udp', address: '127.0.0.1', port: 5063 });
      input.rtpengine.interfaces.push({ name: 'lo', address: '127.0.0.9' });
      if (input.phones) input.phones.credentials = [{ username: 'agent1', password: 'x' }, { username: 'agent1', password: 'y' }];
    })).toEqual([
      { path: 'sip.listeners.2.name', message: 'duplicate listener name "udp" (first at index 0)' },
      { path: 'rtpengine.interfaces.1.name', message: 'duplicate interface name "lo" (first at index 0)' },
      { path: 'phones.credentials.1.username', message: 'duplicate phone username "agent1" (first at index 0)' },
    ]);
  });

  it('requires mutual TLS for a core link off loopback, with the CA and the core\'s certificate', () => {
    expect(problemsOf((input) => {
      input.routingCore.listener = { transport: 'udp', address: '192.0.2.1', port: 5062 };
    })).toEqual([{ path: 'routingCore.listener.transport', message: 'a udp core listener is allowed only on a loopback address (its source address would be the core\'s only proof); use tls on 192.0.2.1' }]);
    expect(problemsOf((input) => {
      input.routingCore.listener = { transport: 'tls', address: '192.0.2.1', port: 5062 };
    }).map((problem) => problem.path)).toEqual(['routingCore.caFile', 'routingCore.certificate', 'routingCore.sipUri']);
    expect(problemsOf((input) => {
      input.routingCore = {
        sipUri: 'sips:192.0.2.50:5071', listener: { transport: 'tls', address: '192.0.2.1', port: 5062 },
        caFile: 'pop-ca.pem', certificate: { subject: 'core.unit' },
      };
    })).toEqual([]);
  });

  it('reports a core listener whose name or port is taken', () => {
    expect(problemsOf((input) => {
      input.routingCore.listener = { name: 'udp', transport: 'udp', address: '127.0.0.1', port: 5060 };
    }).map((problem) => problem.path)).toEqual(['routingCore.listener.name', 'routingCore.listener.port']);
  });

  it('reports a routing core pointed at the edge\'s own SIP listener', () => {
    expect(problemsOf((input) => {
      input.routingCore.sipUri = 'sip:127.0.0.1:5060';
    })).toEqual([{ path: 'routingCore.sipUri', message: 'port 5060 on 127.0.0.1 is also used by SIP listener "udp" (udp) on 127.0.0.1' }]);
  });
});

describe('popConfigSchema', () => {
  it('refuses both or neither of secret and secretFile, and a bad expiry order', () => {
    const input = baseInput();
    input.engine = { secret: 's', secretFile: 'f' };
    if (input.phones) input.phones.registrationExpirySeconds = { min: 700 };
    const result = popConfigSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
      ['engine', 'give exactly one of secret or secretFile'],
      ['phones.registrationExpirySeconds', 'must satisfy min <= default <= max'],
    ]);
  });

  it('derives recordingDir from stateDir unless given', () => {
    expect(popConfigSchema.parse(baseInput()).rtpengine.recordingDir).toBe('state/recordings');
    const input = baseInput();
    input.rtpengine.recordingDir = '/var/rec';
    expect(popConfigSchema.parse(input).rtpengine.recordingDir).toBe('/var/rec');
  });
});
