import { describe, expect, it } from 'vitest';
import { GatewayOrder } from './gateway-order.js';

const gateway = (uri: string, priority: number, weight: number) => ({ uri, priority, weight });

describe('GatewayOrder', () => {
  it('shares 1000 calls 1:3 between two gateways of equal priority (exactly, so well within 5%)', () => {
    const order = new GatewayOrder();
    const gateways = [gateway('sip:a', 1, 1), gateway('sip:b', 1, 3)];
    const first = new Map<string, number>();
    for (let call = 0; call < 1000; call++) {
      const uri = order.order('t', gateways)[0]!.uri;
      first.set(uri, (first.get(uri) ?? 0) + 1);
    }
    expect(first.get('sip:a')).toBe(250);
    expect(first.get('sip:b')).toBe(750);
  });

  it('spreads the shares evenly (smooth round-robin, no runs of one gateway beyond its weight)', () => {
    const order = new GatewayOrder();
    const gateways = [gateway('sip:a', 1, 1), gateway('sip:b', 1, 3)];
    const firsts = Array.from({ length: 8 }, () => order.order('t', gateways)[0]!.uri.slice(4)).join('');
    expect(firsts).toBe('babbbabb');
  });

  it('lists every gateway for failover: the chosen one, the rest of its priority by weight, then the next priority', () => {
    const order = new GatewayOrder();
    const gateways = [gateway('sip:backup', 2, 1), gateway('sip:a', 1, 1), gateway('sip:b', 1, 5), gateway('sip:c', 1, 2)];
    expect(order.order('t', gateways).map((g) => g.uri)).toEqual(['sip:b', 'sip:c', 'sip:a', 'sip:backup']);
  });

  it('keeps each trunk\'s rotation apart', () => {
    const order = new GatewayOrder();
    const gateways = [gateway('sip:a', 1, 1), gateway('sip:b', 1, 1)];
    expect(order.order('x', gateways)[0]!.uri).toBe('sip:a');
    expect(order.order('y', gateways)[0]!.uri).toBe('sip:a');
    expect(order.order('x', gateways)[0]!.uri).toBe('sip:b');
  });
});
