import { describe, expect, it } from 'vitest';
import { sumMetricSamples } from './prometheus-text.js';

const EXPOSITION = [
  '# HELP vpop_engine_dialogs_active Dialogs in the engine',
  '# TYPE vpop_engine_dialogs_active gauge',
  'vpop_engine_dialogs_active{pop="standalone",kind="uas"} 5000',
  'vpop_engine_dialogs_active{pop="standalone",kind="uac"} 4999 1700000000000',
  'vpop_engine_dialogs_active_total 7',
  'vpop_engine_transactions_active 12',
].join('\n');

describe('sumMetricSamples', () => {
  it('sums every label set of the named metric and ignores metrics sharing its prefix', () => {
    expect(sumMetricSamples(EXPOSITION, 'vpop_engine_dialogs_active')).toBe(9999);
  });

  it('reads an unlabelled sample', () => {
    expect(sumMetricSamples(EXPOSITION, 'vpop_engine_transactions_active')).toBe(12);
  });

  it('is undefined for an absent metric', () => {
    expect(sumMetricSamples(EXPOSITION, 'vpop_engine_missing')).toBeUndefined();
  });
});
