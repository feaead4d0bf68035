// rtpengine as a supervised child of `vpop up`: its command line, and an ng ping as
// the readiness probe.
import type { PopConfig } from '../../platform/config/pop-schema.js';
import type { ChildSpec } from '../../platform/supervisor/supervisor.js';
import { rtpengineArgs } from './rtpengine-args.js';
import { pingRtpengine } from './rtpengine-ping.js';

export function rtpengineProcess(pop: PopConfig): ChildSpec {
  const target = { address: pop.rtpengine.ngAddress, port: pop.rtpengine.ngPort };
  return {
    name: 'rtpengine',
    command: pop.rtpengine.binary,
    args: rtpengineArgs(pop),
    readiness: () => pingRtpengine(target, 500),
    readinessIntervalMs: 200,
    required: true,
    // rtpengine closes recordings and releases ports on SIGTERM; give it time.
    stopGraceMs: 5000,
  };
}
