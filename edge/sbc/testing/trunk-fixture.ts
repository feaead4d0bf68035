// TrunkConfig values for unit tests, with the schema's defaults.
import type { TrunkConfig } from '../../../platform/config/pop-schema.js';

export function trunkFixture(overrides: Partial<TrunkConfig> & { name: string }): TrunkConfig {
  return {
    allow: ['127.0.0.2/32'],
    transports: ['tls'],
    srtp: 'required',
    srtpSuites: ['AES_CM_128_HMAC_SHA1_80'],
    codecs: ['PCMU', 'PCMA', 'telephone-event'],
    maxConcurrentCalls: 2,
    callsPerSecond: 10,
    ...overrides,
  };
}
