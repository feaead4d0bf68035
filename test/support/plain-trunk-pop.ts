// A POP file for tests and benchmarks that run a whole POP on loopback: the plain trunk of
// configs/pops/local.yaml (UDP, plain RTP, SIPp on 127.0.0.4) and every process on the
// ports given, so several POPs can run side by side.

export interface PlainTrunkPopPorts {
  sip: number;
  control: number;
  ng: number;
  http: number;
  ops: number;
  core: number;
  /** The edge's internal listener for the core (UDP on loopback). */
  coreListener: number;
  engineMetrics: number;
  sbcMetrics: number;
  mediaMin: number;
  mediaMax: number;
}

export interface PlainTrunkPopOptions {
  popId: string;
  ports: PlainTrunkPopPorts;
  stateDir: string;
  maxConcurrentCalls: number;
  callsPerSecond: number;
  rtpengineThreads: number;
  logLevel: string;
}

/** The POP file: local.yaml's plain trunk and every process on the given ports. Pure. */
export function plainTrunkPopYaml(options: PlainTrunkPopOptions): string {
  const { ports } = options;
  return `pop:
  id: ${options.popId}
  region: loopback
sip:
  listeners:
    - { name: udp, transport: udp, address: 127.0.0.1, port: ${ports.sip} }
engine:
  controlAddress: 127.0.0.1
  controlPort: ${ports.control}
  secret: ${options.popId}-secret
  metricsPort: ${ports.engineMetrics}
sbc:
  metricsPort: ${ports.sbcMetrics}
trunks:
  - name: loopback-plain
    allow: [127.0.0.4/32]
    transports: [udp]
    srtp: off
    codecs: [PCMU, PCMA, telephone-event]
    maxConcurrentCalls: ${options.maxConcurrentCalls}
    callsPerSecond: ${options.callsPerSecond}
rtpengine:
  ngAddress: 127.0.0.1
  ngPort: ${ports.ng}
  httpPort: ${ports.http}
  interfaces:
    - { name: loopback, address: 127.0.0.1 }
  portMin: ${ports.mediaMin}
  portMax: ${ports.mediaMax}
  threads: ${options.rtpengineThreads}
routingCore:
  sipUri: sip:127.0.0.1:${ports.core}
  # A plain link is allowed on loopback only; production POPs use mutual TLS.
  listener: { name: core, transport: udp, address: 127.0.0.1, port: ${ports.coreListener} }
ops:
  address: 127.0.0.1
  port: ${ports.ops}
logging:
  level: ${options.logLevel}
stateDir: ${options.stateDir}
`;
}
