import { describe, expect, it } from 'vitest';
import { answeringLegHeaders, answeringLegTimer, placingLegHeaders, placingLegTimer, refreshAnswerHeaders } from './session-timer.js';

const settings = { seconds: 1800, minSeconds: 90 };
const headers = (values: Record<string, string>): { get: (name: string) => string | undefined } => ({ get: (name) => values[name] });

describe('RFC 4028 negotiation per leg', () => {
  it('lets a caller that asks to refresh (or supports timers) refresh, at its interval but never under Min-SE', () => {
    expect(answeringLegTimer(headers({ 'Session-Expires': '600;refresher=uac', Supported: 'timer' }), settings)).toEqual({ seconds: 600, refresher: 'peer' });
    expect(answeringLegTimer(headers({ 'Session-Expires': '30', Supported: '100rel, timer' }), settings)).toEqual({ seconds: 90, refresher: 'peer' });
    expect(answeringLegTimer(headers({ 'Session-Expires': '600', 'Min-SE': '900', Supported: 'timer' }), settings)).toEqual({ seconds: 900, refresher: 'peer' });
  });

  it('refreshes itself toward a caller without timer support or one that names the UAS', () => {
    expect(answeringLegTimer(headers({}), settings)).toEqual({ seconds: 1800, refresher: 'sbc' });
    expect(answeringLegTimer(headers({ 'Session-Expires': '600;refresher=uas', Supported: 'timer' }), settings)).toEqual({ seconds: 600, refresher: 'sbc' });
  });

  it('writes the 2xx headers: Require: timer only when the caller refreshes', () => {
    expect(answeringLegHeaders({ seconds: 600, refresher: 'peer' })).toEqual({ 'Session-Expires': '600;refresher=uac', Require: 'timer' });
    expect(answeringLegHeaders({ seconds: 1800, refresher: 'sbc' })).toEqual({ 'Session-Expires': '1800;refresher=uas' });
  });

  it('offers to refresh the placed leg and keeps refreshing unless the callee takes it on', () => {
    expect(placingLegHeaders(settings)).toEqual({ Supported: 'timer', 'Session-Expires': '1800;refresher=uac', 'Min-SE': '90' });
    expect(placingLegTimer(headers({}), settings)).toEqual({ seconds: 1800, refresher: 'sbc' });
    expect(placingLegTimer(headers({ 'Session-Expires': '1200;refresher=uac' }), settings)).toEqual({ seconds: 1200, refresher: 'sbc' });
    expect(placingLegTimer(headers({ 'Session-Expires': '1200;refresher=uas' }), settings)).toEqual({ seconds: 1200, refresher: 'peer' });
  });

  it('answers a peer\'s refresh naming the refresher from that transaction\'s side', () => {
    expect(refreshAnswerHeaders({ seconds: 600, refresher: 'peer' })).toEqual({ 'Session-Expires': '600;refresher=uac' });
    expect(refreshAnswerHeaders({ seconds: 600, refresher: 'sbc' })).toEqual({ 'Session-Expires': '600;refresher=uas' });
  });
});
