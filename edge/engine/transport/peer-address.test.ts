import { describe, expect, it } from 'vitest';
import { addressFamily, connectionKey, normalizePeerAddress } from './peer-address.js';

describe('normalizePeerAddress', () => {
  it('unwraps IPv4-mapped v6 and brackets, lower-cases v6', () => {
    expect(normalizePeerAddress('::ffff:127.0.0.2')).toBe('127.0.0.2');
    expect(normalizePeerAddress('::FFFF:10.1.2.3')).toBe('10.1.2.3');
    expect(normalizePeerAddress('[::1]')).toBe('::1');
    expect(normalizePeerAddress('[2001:DB8::A]')).toBe('2001:db8::a');
    expect(normalizePeerAddress('127.0.0.1')).toBe('127.0.0.1');
    expect(normalizePeerAddress('carrier.example.net')).toBe('carrier.example.net');
  });
});

describe('addressFamily', () => {
  it('tells v4, v6 and names apart', () => {
    expect(addressFamily('127.0.0.1')).toBe(4);
    expect(addressFamily('::ffff:127.0.0.1')).toBe(4);
    expect(addressFamily('[::1]')).toBe(6);
    expect(addressFamily('sip.example.com')).toBe(0);
  });
});

describe('connectionKey', () => {
  it('gives the same key for equivalent spellings of an address', () => {
    expect(connectionKey('tcp', '::ffff:127.0.0.1', 5060)).toBe(connectionKey('tcp', '127.0.0.1', 5060));
    expect(connectionKey('tls', '[::1]', 5061)).toBe(connectionKey('tls', '::1', 5061));
    expect(connectionKey('tcp', '127.0.0.1', 5060)).not.toBe(connectionKey('tls', '127.0.0.1', 5060));
  });
});
