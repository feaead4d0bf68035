import { describe, expect, it } from 'vitest';
import { withConstantLabels } from './exposition-labels.js';

describe('withConstantLabels', () => {
  it('adds labels to samples with and without labels, keeping comments', () => {
    const text = [
      '# HELP rtpengine_sessions Owned sessions',
      '# TYPE rtpengine_sessions gauge',
      'rtpengine_sessions{type="own"} 3',
      'rtpengine_uptime_seconds 12',
      'rtpengine_empty{} 1',
      '',
    ].join('\n');
    expect(withConstantLabels(text, { pop: 'nyc1-a', component: 'rtpengine' })).toBe([
      '# HELP rtpengine_sessions Owned sessions',
      '# TYPE rtpengine_sessions gauge',
      'rtpengine_sessions{pop="nyc1-a",component="rtpengine",type="own"} 3',
      'rtpengine_uptime_seconds{pop="nyc1-a",component="rtpengine"} 12',
      'rtpengine_empty{pop="nyc1-a",component="rtpengine"} 1',
      '',
    ].join('\n'));
  });

  it('keeps label values with braces and spaces intact and escapes the added values', () => {
    expect(withConstantLabels('m{path="/a {b}"} 1 1700000000000', { pop: 'say "hi"\\' }))
      .toBe('m{pop="say \\"hi\\"\\\\",path="/a {b}"} 1 1700000000000');
  });

  it('changes nothing without labels or on lines that are not samples', () => {
    expect(withConstantLabels('m 1', {})).toBe('m 1');
    expect(withConstantLabels('garbage', { pop: 'p' })).toBe('garbage');
  });
});
