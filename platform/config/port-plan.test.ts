import { describe, expect, it } from 'vitest';
import { portClashProblems, sipUriHostPort, type PortBinding } from './port-plan.js';

const bind = (owner: string, address: string, protocol: PortBinding['protocol'], portFrom: number, portTo = portFrom, remote = false): PortBinding =>
  ({ path: [owner], owner, address, protocol, portFrom, portTo, remote });

describe('portClashProblems', () => {
  it('lets UDP and TCP share a port, as SIP does on 5060', () => {
    expect(portClashProblems([bind('udp', '127.0.0.1', 'udp', 5060), bind('tcp', '127.0.0.1', 'tcp', 5060)])).toEqual([]);
  });

  it('reports two TCP services (TCP and TLS SIP) on one port at the later one', () => {
    expect(portClashProblems([bind('tcp', '127.0.0.1', 'tcp', 5060), bind('tls', '127.0.0.1', 'tcp', 5060)])).toEqual([
      { path: ['tls'], message: 'port 5060 on 127.0.0.1 is also used by tcp on 127.0.0.1' },
    ]);
  });

  it('keeps different addresses apart, except under a wildcard', () => {
    expect(portClashProblems([bind('a', '127.0.0.1', 'tcp', 9090), bind('b', '127.0.0.2', 'tcp', 9090)])).toEqual([]);
    expect(portClashProblems([bind('a', '0.0.0.0', 'tcp', 9090), bind('b', '127.0.0.2', 'tcp', 9090)])).toHaveLength(1);
    expect(portClashProblems([bind('a', '0.0.0.0', 'tcp', 9090), bind('b', '::1', 'tcp', 9090)])).toEqual([]);
    // Node binds "::" dual-stack, so it takes the IPv4 port too.
    expect(portClashProblems([bind('a', '::', 'tcp', 9090), bind('b', '127.0.0.2', 'tcp', 9090)])).toHaveLength(1);
    expect(portClashProblems([bind('a', '2001:db8::1', 'udp', 5060), bind('b', '2001:db8:0::1', 'udp', 5060)])).toHaveLength(1);
  });

  it('reserves the media range on both protocols and reports the service inside it', () => {
    const media = bind('media range', '127.0.0.1', 'media', 30000, 30999);
    expect(portClashProblems([media, bind('ops', '127.0.0.1', 'tcp', 30500)])).toEqual([
      { path: ['ops'], message: 'port 30500 on 127.0.0.1 is inside media range on 127.0.0.1' },
    ]);
    expect(portClashProblems([bind('ng', '127.0.0.1', 'udp', 30999), media])).toHaveLength(1);
    expect(portClashProblems([media, bind('ops', '127.0.0.1', 'tcp', 31000)])).toEqual([]);
  });

  it('compares a remote service (routing core) only with exactly its own address', () => {
    expect(portClashProblems([bind('sip', '0.0.0.0', 'udp', 5060), bind('core', '192.0.2.50', 'udp', 5060, 5060, true)])).toEqual([]);
    expect(portClashProblems([bind('sip', '127.0.0.1', 'udp', 5060), bind('core', '127.0.0.1', 'udp', 5060, 5060, true)])).toHaveLength(1);
  });
});

describe('sipUriHostPort', () => {
  it('reads host and port of IP-literal URIs with the scheme default port', () => {
    expect(sipUriHostPort('sip:127.0.0.1:5070')).toEqual({ host: '127.0.0.1', port: 5070 });
    expect(sipUriHostPort('sip:core@198.51.100.50;transport=tcp')).toEqual({ host: '198.51.100.50', port: 5060 });
    expect(sipUriHostPort('sips:[2001:db8::5]')).toEqual({ host: '2001:db8::5', port: 5061 });
    expect(sipUriHostPort('sip:[2001:db8::5]:5080;transport=tcp')).toEqual({ host: '2001:db8::5', port: 5080 });
    expect(sipUriHostPort('sip:core.example.com:5070')).toBeUndefined();
  });
});
