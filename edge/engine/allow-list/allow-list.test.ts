import { describe, expect, it } from 'vitest';
import { AllowList, AllowListError, AllowListHolder } from './allow-list.js';

describe('AllowList', () => {
  it('matches v4 CIDRs and single hosts', () => {
    const list = AllowList.parse(['10.1.0.0/16', '192.0.2.7', '127.0.0.1/32']);
    expect(list.allows('10.1.255.3')).toBe(true);
    expect(list.allows('10.2.0.1')).toBe(false);
    expect(list.allows('192.0.2.7')).toBe(true);
    expect(list.allows('192.0.2.8')).toBe(false);
    expect(list.allows('127.0.0.1')).toBe(true);
    expect(list.allows('127.0.0.2')).toBe(false);
  });

  it('matches IPv4-mapped IPv6 peers against v4 entries', () => {
    const list = AllowList.parse(['127.0.0.0/30']);
    expect(list.allows('::ffff:127.0.0.2')).toBe(true);
    expect(list.allows('::ffff:127.0.0.9')).toBe(false);
  });

  it('treats a mapped v6 range as the v4 range it encodes', () => {
    const list = AllowList.parse(['::ffff:10.0.0.0/104']);
    expect(list.allows('10.200.1.1')).toBe(true);
    expect(list.allows('11.0.0.1')).toBe(false);
  });

  it('matches v6 CIDRs at odd prefix lengths', () => {
    const list = AllowList.parse(['2001:db8:abcc::/47', '::1']);
    expect(list.allows('2001:db8:abcd:1::5')).toBe(true);
    // /47 leaves the last bit of the third group free: abcc and abcd are in, abce and abcb are not.
    expect(list.allows('2001:db8:abcc::1')).toBe(true);
    expect(list.allows('2001:db8:abce::1')).toBe(false);
    expect(list.allows('2001:db8:abcb::1')).toBe(false);
    expect(list.allows('::1')).toBe(true);
    expect(list.allows('::2')).toBe(false);
    expect(list.allows('127.0.0.1')).toBe(false);
  });

  it('an entry with host bits set is refused, naming the network meant', () => {
    expect(AllowList.check(['10.9.8.7/8'])).toEqual([
      { index: 0, entry: '10.9.8.7/8', reason: expect.stringContaining('did you mean 10.0.0.0/8') },
    ]);
  });

  it('/0 ranges match everything of their family; any() matches both', () => {
    expect(AllowList.parse(['0.0.0.0/0']).allows('203.0.113.9')).toBe(true);
    expect(AllowList.parse(['0.0.0.0/0']).allows('2001:db8::1')).toBe(false);
    expect(AllowList.any().allows('2001:db8::1')).toBe(true);
    expect(AllowList.any().allows('::ffff:1.2.3.4')).toBe(true);
    expect(AllowList.none().allows('127.0.0.1')).toBe(false);
  });

  it('denies addresses that do not parse', () => {
    const list = AllowList.any();
    expect(list.allows('')).toBe(false);
    expect(list.allows('not-an-ip')).toBe(false);
    expect(list.allows('1.2.3.4.5')).toBe(false);
  });

  it('reports every invalid entry with its index and a reason', () => {
    let caught: unknown;
    try {
      AllowList.parse(['10.0.0.0/8', '10.0.0.0/33', 'example.com', '::1/129', '', '127.1']);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AllowListError);
    const invalid = (caught as AllowListError).invalid;
    expect(invalid.map((bad) => bad.index)).toEqual([1, 2, 3, 4, 5]);
    expect(invalid[0]).toMatchObject({ entry: '10.0.0.0/33', reason: expect.stringContaining('0..32') });
    expect(invalid[2]).toMatchObject({ entry: '::1/129', reason: expect.stringContaining('0..128') });
    expect((caught as Error).message).toContain("[2] 'example.com'");
    expect(AllowList.check(['10.0.0.0/8'])).toEqual([]);
    expect(AllowList.check(['10.0.0.0/x'])).toHaveLength(1);
  });

  it('keeps answering correctly after its cache fills and is cleared', () => {
    const list = AllowList.parse(['10.0.0.0/16']);
    for (let i = 0; i < 10_000; i++) {
      const address = `10.${(i >> 8) & 1}.${i & 0xff}.${(i >> 1) & 0xff}`;
      expect(list.allows(address)).toBe(((i >> 8) & 1) === 0);
    }
  });

  it('keeps the entries as given', () => {
    expect(AllowList.parse(['10.0.0.0/8', '::1']).entries).toEqual(['10.0.0.0/8', '::1']);
  });
});

describe('AllowListHolder', () => {
  it('swaps the list in one step and returns the previous one', () => {
    const first = AllowList.parse(['127.0.0.1']);
    const holder = new AllowListHolder(first);
    expect(holder.allows('127.0.0.2')).toBe(false);
    const previous = holder.replace(AllowList.parse(['127.0.0.0/24']));
    expect(previous).toBe(first);
    expect(holder.allows('127.0.0.2')).toBe(true);
    expect(holder.current.entries).toEqual(['127.0.0.0/24']);
  });
});

describe('AllowList address forms', () => {
  it('reads dotted quads strictly and refuses other v4 spellings', () => {
    const list = AllowList.parse(['10.0.0.0/8']);
    expect(list.allows('10.255.255.255')).toBe(true);
    expect(list.allows('10.256.0.1')).toBe(false);
    expect(list.allows('10.0.0.')).toBe(false);
    expect(list.allows('.10.0.0')).toBe(false);
    expect(list.allows('10..0.1')).toBe(false);
    expect(list.allows('10.0.0.0001')).toBe(false);
    expect(list.allows('0xa.0.0.1')).toBe(false);
    expect(list.allows('10.1')).toBe(false);
    expect(list.allows('255.255.255.255')).toBe(false);
    expect(AllowList.parse(['255.255.255.255']).allows('255.255.255.255')).toBe(true);
    expect(AllowList.parse(['0.0.0.0/1']).allows('127.255.255.255')).toBe(true);
    expect(AllowList.parse(['0.0.0.0/1']).allows('128.0.0.0')).toBe(false);
  });
});
