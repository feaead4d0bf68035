import { describe, expect, it } from 'vitest';
import { canonicalAddress, cidrBlocksOverlap, hostPort, ipLiteralFamily, isLoopbackAddress, isUnspecifiedAddress, parseCidr, type CidrBlock } from './ip-literal.js';

const block = (text: string): CidrBlock => {
  const parsed = parseCidr(text);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
};

describe('isLoopbackAddress', () => {
  it('is true only for addresses no other host can reach', () => {
    for (const address of ['127.0.0.1', '127.3.4.5', '::1', '::ffff:127.0.0.1']) expect(isLoopbackAddress(address), address).toBe(true);
    for (const address of ['0.0.0.0', '::', '192.0.2.1', '10.0.0.1', 'localhost', '2001:db8::1']) expect(isLoopbackAddress(address), address).toBe(false);
  });
});

describe('ipLiteralFamily', () => {
  it('accepts plain dotted quads and IPv6 literals', () => {
    expect(ipLiteralFamily('127.0.0.1')).toBe('ipv4');
    expect(ipLiteralFamily('2001:db8::10')).toBe('ipv6');
    expect(ipLiteralFamily('::')).toBe('ipv6');
    expect(ipLiteralFamily('::ffff:192.0.2.1')).toBe('ipv6');
  });

  it('refuses shorthand, hex, octal-looking, zoned and non-address forms', () => {
    for (const text of ['127.1', '0x7f.0.0.1', '010.0.0.1', '256.0.0.1', 'fe80::1%eth0', 'localhost', '', '1.2.3.4/32', '[::1]']) {
      expect(ipLiteralFamily(text), text).toBeUndefined();
    }
  });
});

describe('parseCidr', () => {
  it('parses v4 and v6 blocks', () => {
    expect(block('192.0.2.0/24')).toMatchObject({ family: 'ipv4', prefixLength: 24 });
    expect(block('2001:db8:a::/48')).toMatchObject({ family: 'ipv6', prefixLength: 48 });
    expect(block('0.0.0.0/0')).toMatchObject({ prefixLength: 0 });
  });

  it('explains each way a block can be wrong', () => {
    expect(parseCidr('192.0.2.1')).toBe('"192.0.2.1" is not a CIDR block: write address/prefix, e.g. 192.0.2.10/32');
    expect(parseCidr('192.0.2.0/33')).toBe('"192.0.2.0/33" is not a CIDR block: prefix length must be 0..32');
    expect(parseCidr('2001:db8::/129')).toBe('"2001:db8::/129" is not a CIDR block: prefix length must be 0..128');
    expect(parseCidr('192.0.2.0/024')).toBe('"192.0.2.0/024" is not a CIDR block: prefix length must be 0..32');
    expect(parseCidr('192.0.2.0/')).toBe('"192.0.2.0/" is not a CIDR block: prefix length must be 0..32');
    expect(parseCidr('example.com/24')).toBe('"example.com/24" is not a CIDR block: "example.com" is not an IPv4 or IPv6 address');
    expect(parseCidr('192.0.2.7/24')).toBe('"192.0.2.7/24" has host bits set: did you mean 192.0.2.0/24?');
    expect(parseCidr('2001:db8::1/64')).toBe('"2001:db8::1/64" has host bits set: did you mean 2001:db8::/64?');
  });
});

describe('cidrBlocksOverlap', () => {
  it('finds containment in either order and ignores other families', () => {
    expect(cidrBlocksOverlap(block('127.0.0.0/30'), block('127.0.0.2/32'))).toBe(true);
    expect(cidrBlocksOverlap(block('127.0.0.2/32'), block('127.0.0.0/30'))).toBe(true);
    expect(cidrBlocksOverlap(block('127.0.0.4/32'), block('127.0.0.0/30'))).toBe(false);
    expect(cidrBlocksOverlap(block('127.0.0.6/31'), block('127.0.0.8/29'))).toBe(false);
    expect(cidrBlocksOverlap(block('2001:db8::/32'), block('2001:db8:a::/48'))).toBe(true);
    expect(cidrBlocksOverlap(block('0.0.0.0/0'), block('::/0'))).toBe(false);
  });
});

describe('address helpers', () => {
  it('knows the wildcard addresses and canonical forms', () => {
    expect(isUnspecifiedAddress('0.0.0.0')).toBe(true);
    expect(isUnspecifiedAddress('::')).toBe(true);
    expect(isUnspecifiedAddress('127.0.0.1')).toBe(false);
    expect(isUnspecifiedAddress('nonsense')).toBe(false);
    expect(canonicalAddress('2001:db8:0::1')).toBe(canonicalAddress('2001:db8::1'));
  });

  it('writes host:port with an IPv6 literal in brackets', () => {
    expect(hostPort('127.0.0.1', 5060)).toBe('127.0.0.1:5060');
    expect(hostPort('2001:db8::1', 5061)).toBe('[2001:db8::1]:5061');
    expect(hostPort('pop.example.net', 5061)).toBe('pop.example.net:5061');
  });
});
