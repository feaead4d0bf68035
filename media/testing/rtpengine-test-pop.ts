// A POP config for tests that run a real rtpengine: every port free on loopback, a
// media block of the caller's size, and the rest the minimum the schema asks for.
import { popConfigSchema, type PopConfig } from '../../platform/config/pop-schema.js';
import { freePort } from '../../test/support/free-port.js';

export interface RtpengineTestPopOptions {
  /** pop.id, which also labels rtpengine's scraped metrics. */
  id: string;
  stateDir: string;
  /** Size of the media port block (each anchored call takes four ports). */
  mediaPorts: number;
  /** Also give rtpengine a CLI port. */
  cliPort?: boolean;
  logging?: PopConfig['logging']['level'];
  /** Where rtpengine sends its DTMF log (--dtmf-log-dest) on 127.0.0.1. */
  dtmfLogPort?: number;
  /** rtpengine worker threads; 1 unless given (tests), production uses 2. */
  threads?: number;
}

export async function rtpengineTestPop(options: RtpengineTestPopOptions): Promise<PopConfig> {
  // A random block in 20000-59999 so parallel test rtpengines rarely share ports.
  const portMin = 20_000 + Math.floor(Math.random() * Math.floor((40_000 - options.mediaPorts) / 100)) * 100;
  return popConfigSchema.parse({
    pop: { id: options.id, region: 'lab' },
    sip: { listeners: [{ name: 'udp', transport: 'udp', address: '127.0.0.1', port: await freePort() }] },
    engine: { secret: 's' },
    rtpengine: {
      ngAddress: '127.0.0.1', ngPort: await freePort(), httpPort: await freePort(),
      ...(options.cliPort ? { cliPort: await freePort() } : {}),
      ...(options.dtmfLogPort !== undefined ? { dtmfLogPort: options.dtmfLogPort } : {}),
      interfaces: [{ name: 'loopback', address: '127.0.0.1' }],
      portMin, portMax: portMin + options.mediaPorts - 1, threads: options.threads ?? 1,
    },
    routingCore: { sipUri: 'sip:127.0.0.1:5070', listener: { transport: 'udp', address: '127.0.0.1', port: 5062 } },
    ops: { port: await freePort() },
    ...(options.logging ? { logging: { level: options.logging } } : {}),
    stateDir: options.stateDir,
  });
}
