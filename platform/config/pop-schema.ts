// The shape of one POP file (configs/pops/*.yaml). Every object is strict so that a
// misspelt key is an error with a line number instead of a silently ignored setting.
// Checks that span several fields (port clashes, overlapping allow-lists, files on
// disk) live in pop-consistency.ts; this file only says what each field may hold.
import { z } from 'zod';
import { ipLiteralFamily, isLoopbackAddress, parseCidr } from './ip-literal.js';

const dnsLabel = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const hostName = /^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

const label = (what: string) =>
  z.string().regex(dnsLabel, `${what} must be a DNS label: lowercase letters, digits and '-', 1-63 characters, not starting or ending with '-'`);

const ipAddress = z
  .string()
  .refine((text) => ipLiteralFamily(text) !== undefined, {
    error: (issue) => `"${String(issue.input)}" is not an IPv4 or IPv6 address literal`,
  })
  .meta({ examples: ['127.0.0.1', '2001:db8::10'] });

const cidr = z
  .string()
  .superRefine((text, ctx) => {
    const parsed = parseCidr(text);
    if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
  })
  .describe('An IPv4 or IPv6 CIDR block, address/prefix, with no host bits set')
  .meta({ examples: ['192.0.2.0/24', '2001:db8:10::/48'] });

const port = z.number().int().min(1).max(65535);

const filePath = z.string().min(1);

const sipUri = z
  .string()
  .regex(/^sips?:[^\s]+$/, 'must be a SIP URI such as sip:192.0.2.10:5060;transport=tcp');

const sipTransports = ['udp', 'tcp', 'tls'] as const;
export type SipTransport = (typeof sipTransports)[number];
const sipTransport = z.enum(sipTransports);

const codecNames = ['PCMU', 'PCMA', 'G722', 'G729', 'opus', 'telephone-event'] as const;
const srtpSuiteNames = [
  'AES_CM_128_HMAC_SHA1_80',
  'AES_CM_128_HMAC_SHA1_32',
  'AES_192_CM_HMAC_SHA1_80',
  'AES_192_CM_HMAC_SHA1_32',
  'AES_256_CM_HMAC_SHA1_80',
  'AES_256_CM_HMAC_SHA1_32',
  'AEAD_AES_128_GCM',
  'AEAD_AES_256_GCM',
] as const;

function uniqueList<T extends z.ZodType>(item: T, what: string) {
  return z.array(item).superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((value, index) => {
      const key = JSON.stringify(value);
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [index], message: `duplicate ${what} ${key}` });
      seen.add(key);
    });
  });
}

const popSection = z
  .strictObject({
    id: label('pop.id').describe('POP identifier, a DNS label; used in metrics, CDRs and the headers handed to the routing core'),
    region: label('pop.region').describe('Region the POP serves, e.g. us-east'),
    description: z.string().optional().describe('Free text for operators'),
  })
  .describe('Identity of this POP');

const sipListener = z
  .strictObject({
    name: label('listener name').describe('Listener name, unique in the file; used in metrics and logs'),
    transport: sipTransport.describe('udp, tcp or tls'),
    address: ipAddress.describe('Local IPv4/IPv6 address to bind; 0.0.0.0 or :: bind every address of the family'),
    port: port.describe('Local port to bind'),
    publicAddress: z
      .string()
      .refine((text) => ipLiteralFamily(text) !== undefined || hostName.test(text), 'must be an IP address or a host name')
      .optional()
      .describe('Address carriers see in Via, Contact, Record-Route and SDP (topology hiding); defaults to address'),
    publicPort: port.optional().describe('Port carriers see; defaults to port'),
    role: z
      .enum(['carriers', 'phones'])
      .default('carriers')
      .describe("carriers: admits only the source addresses of trunks that use its transport; phones: admits only phones.allow (agents' phones register and are called here). No listener of either role admits the routing core, which has its own (routingCore.listener)"),
  })
  .describe('One SIP socket of the edge engine');

const sipLimits = z
  .strictObject({
    maxMessageBytes: z.number().int().min(1024).max(1_048_576).default(65_535).describe('Largest SIP message accepted, headers and body'),
    maxHeaders: z.number().int().min(8).max(1000).default(100).describe('Most header lines accepted in one message'),
    maxLineBytes: z.number().int().min(256).max(65_535).default(8192).describe('Longest header line accepted'),
    maxConnections: z.number().int().min(1).default(10_000).describe('Most simultaneous TCP/TLS connections per listener'),
    maxConnectionsPerSource: z.number().int().min(1).default(100).describe('Most simultaneous TCP/TLS connections from one source address'),
    idleTimeoutSeconds: z.number().int().min(1).default(300).describe('A TCP/TLS connection with no traffic for this long is closed'),
    perSourceMessagesPerSecond: z.number().int().min(0).default(5000).describe('SIP messages per second one source address may send; above it the source gets silence for sourceBlockSeconds (0: no limit)'),
    sourceBlockSeconds: z.number().int().min(1).default(10).describe('How long a source above perSourceMessagesPerSecond gets silence'),
    maxTransactions: z.number().int().min(0).default(100_000).describe('Live SIP transactions above which new requests get 503 with Retry-After (0: no ceiling)'),
    maxDialogs: z.number().int().min(0).default(50_000).describe('Live dialogs above which new INVITEs and SUBSCRIBEs get 503 with Retry-After (0: no ceiling)'),
    overloadRetryAfterSeconds: z.number().int().min(1).default(5).describe('Retry-After of the 503 sent above maxTransactions or maxDialogs'),
  })
  .describe('Hard limits the engine applies before and while parsing');

const sipSection = z
  .strictObject({
    listeners: z.array(sipListener).min(1).describe('SIP sockets; at least one'),
    userAgent: z.string().min(1).regex(/^[^\r\n]+$/, 'one line: no CR or LF').optional().describe('Product name the engine sends as Server: on its responses and User-Agent: on its requests that carry none of their own (topology hiding); nothing is added when unset'),
    limits: sipLimits.prefault({}),
  })
  .describe('SIP signalling on the carrier-facing side');

const tlsSection = z
  .strictObject({
    certFile: filePath.describe('PEM certificate of the POP (path)'),
    keyFile: filePath.describe('PEM private key of the POP (path)'),
    caFile: filePath.optional().describe('PEM CA bundle used to verify client certificates of carriers (path)'),
    chainFile: filePath.optional().describe('PEM intermediate chain sent after the certificate (path)'),
    minVersion: z.enum(['TLSv1.2', 'TLSv1.3']).default('TLSv1.2').describe('Lowest TLS version accepted'),
    ciphers: z.string().min(1).optional().describe('OpenSSL cipher list for TLS 1.2; Node defaults when unset'),
    requireClientCert: z.boolean().default(false).describe('Ask every TLS peer for a certificate and refuse the handshake without a valid one (mutual TLS)'),
    generateIfMissing: z
      .boolean()
      .default(false)
      .describe('on first run, if certFile/keyFile do not exist, vpop creates a local CA under <stateDir>/ca (clients trust ca.crt) and issues the POP certificate and key from it (for local use; production POPs use certificates from their own CA)'),
  })
  .describe('TLS for SIP listeners with transport tls');

const engineSection = z
  .strictObject({
    controlAddress: ipAddress.default('127.0.0.1')
      .refine(isLoopbackAddress, 'must be a loopback address (127.0.0.1 or ::1): the drachtio control protocol has no TLS, and its apps run on this host')
      .describe('Address of the drachtio control protocol listener; loopback only'),
    controlPort: port.default(9022).describe('Port of the drachtio control protocol listener'),
    secret: z.string().min(1).optional().describe('Shared secret apps authenticate with; give this or secretFile'),
    secretFile: filePath.optional().describe('File holding the shared secret (path); give this or secret'),
    metricsPort: port.optional().describe('Prometheus /metrics port of the engine, on controlAddress'),
  })
  .superRefine((engine, ctx) => {
    if ((engine.secret === undefined) === (engine.secretFile === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of secret or secretFile' });
    }
  })
  .describe('The SIP engine and its drachtio control protocol');

const clientCertMatch = z
  .strictObject({
    fingerprintSha256: z
      .string()
      .regex(/^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$/, 'must be a SHA-256 fingerprint: 32 hex bytes separated by colons')
      .optional()
      .describe('SHA-256 fingerprint of the carrier certificate, AA:BB:...'),
    subject: z.string().min(1).optional().describe('Subject (CN) of the carrier certificate'),
  })
  .refine((match) => match.fingerprintSha256 !== undefined || match.subject !== undefined, 'give fingerprintSha256, subject or both')
  .describe('Identifies the trunk by its mutual-TLS client certificate as well as its source address');

const gateway = z
  .strictObject({
    uri: sipUri.describe('Carrier gateway SIP URI for outbound calls and OPTIONS pings'),
    priority: z.number().int().min(0).default(1).describe('Lower is tried first'),
    weight: z.number().int().min(1).default(1).describe('Share of calls among gateways of equal priority'),
  })
  .describe('One carrier gateway');

const trunk = z
  .strictObject({
    name: label('trunk name').describe('Trunk name, unique in the file; appears in CDRs, metrics and the headers handed to the core'),
    description: z.string().optional().describe('Free text for operators'),
    allow: uniqueList(cidr, 'CIDR block').min(1).describe('Source addresses of the carrier; a request from these is identified as this trunk'),
    transports: uniqueList(sipTransport, 'transport').min(1).default(['tls']).describe('Transports the carrier may use'),
    srtp: z.enum(['required', 'optional', 'off']).default('required').describe('required: an offer without a=crypto gets 488; optional: SRTP if offered; off: plain RTP'),
    srtpSuites: uniqueList(z.enum(srtpSuiteNames), 'SRTP suite').min(1).default(['AES_CM_128_HMAC_SHA1_80']).describe('SDES crypto suites offered and accepted on the carrier side'),
    codecs: uniqueList(z.enum(codecNames), 'codec').min(1).default(['PCMU', 'PCMA', 'telephone-event']).describe('Codecs kept in offers; others are stripped, 488 if none is left'),
    maxConcurrentCalls: z.number().int().min(1).describe('Calls beyond this get 503 with Retry-After'),
    callsPerSecond: z.number().positive().describe('New calls per second accepted from the trunk'),
    maxCallSeconds: z.number().int().min(1).optional().describe('Answered calls are ended (CDR cause max-duration) after this many seconds; no limit when absent'),
    clientCert: clientCertMatch.optional(),
    gateways: z.array(gateway).optional().describe('Carrier gateways for outbound calls, pinged with OPTIONS'),
    outbound: z
      .strictObject({
        numberPrefixes: uniqueList(z.string().regex(/^\+?[0-9]*$/, 'must be digits, optionally after +'), 'prefix')
          .min(1)
          .describe('E.164 prefixes of numbers sent out through this trunk; the longest match wins'),
      })
      .optional()
      .describe('Outbound routing of PSTN legs through this trunk'),
  })
  .describe('One carrier trunk');

const phoneCredential = z
  .strictObject({
    username: z.string().min(1).describe('Digest user name of the phone'),
    password: z.string().min(1).optional().describe('Password in clear; acceptable only for local test POPs'),
    passwordFile: filePath.optional().describe('File holding the password (path)'),
    ha1Sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex digits: SHA-256 of username:realm:password').optional()
      .describe('SHA-256 digest HA1, hex of sha256("username:realm:password"): the registrar challenges SHA-256 (RFC 8760) without holding the password'),
    ha1Md5: z.string().regex(/^[0-9a-fA-F]{32}$/, 'must be 32 hex digits: MD5 of username:realm:password').optional()
      .describe('MD5 digest HA1, hex of md5("username:realm:password"), for phones that cannot do SHA-256'),
    algorithms: uniqueList(z.enum(['SHA-256', 'MD5']), 'algorithm').min(1).default(['SHA-256', 'MD5'])
      .describe('Digest algorithms the 401 offers this phone, in order (RFC 8760: SHA-256 first); [MD5] for a phone that fails on a SHA-256 challenge (baresip 1.x)'),
  })
  .refine(
    (cred) => [cred.password !== undefined, cred.passwordFile !== undefined, cred.ha1Sha256 !== undefined || cred.ha1Md5 !== undefined].filter(Boolean).length === 1,
    'give exactly one of password, passwordFile, or ha1Sha256/ha1Md5',
  );

const expiry = z
  .strictObject({
    min: z.number().int().min(1).default(60).describe('Shorter requested expiries get 423 Interval Too Brief'),
    max: z.number().int().min(1).default(3600).describe('Longer requested expiries are cut to this'),
    default: z.number().int().min(1).default(600).describe('Used when the REGISTER asks for none'),
  })
  .refine((e) => e.min <= e.default && e.default <= e.max, 'must satisfy min <= default <= max')
  .describe('Registration expiry the registrar grants, in seconds');

const phonesSection = z
  .strictObject({
    allow: uniqueList(cidr, 'CIDR block').min(1).describe('Source addresses agents\' SIP phones may register from'),
    realm: z.string().min(1).describe('Digest authentication realm'),
    credentials: z.array(phoneCredential).optional().describe('Phone credentials kept in the POP file; the routing core may supply others'),
    registrationExpirySeconds: expiry.prefault({}),
  })
  .describe('Agents\' SIP phones registering at the edge');

const mediaInterface = z
  .strictObject({
    name: label('interface name').describe('rtpengine interface name'),
    address: ipAddress.describe('Local address rtpengine binds media ports on'),
    advertisedAddress: ipAddress.optional().describe('Address written into SDP when it differs from address (NAT)'),
  })
  .describe('One rtpengine media interface');

const rtpengineSection = z
  .strictObject({
    ngAddress: ipAddress.default('127.0.0.1').describe('Address of the ng control protocol (UDP); also the address of the CLI and HTTP listeners'),
    ngPort: port.default(22222).describe('ng control port (UDP)'),
    cliPort: port.optional().describe('rtpengine-ctl CLI port (TCP), on ngAddress'),
    httpPort: port.describe('HTTP port (TCP) on ngAddress; serves rtpengine /metrics'),
    interfaces: z.array(mediaInterface).min(1).describe('Media interfaces'),
    portMin: port.describe('Lowest UDP port for media'),
    portMax: port.describe('Highest UDP port for media'),
    threads: z.number().int().min(1).max(64).default(2).describe('rtpengine worker threads'),
    recordingDir: filePath.optional().describe('Where encrypted recordings and their index are kept (path); defaults to <stateDir>/recordings. rtpengine writes clear segments to <stateDir>/recording-spool until they are joined'),
    dtmfLogPort: port.optional().describe('UDP port on ngAddress where rtpengine sends DTMF events (--dtmf-log-dest)'),
    binary: filePath.default('/usr/bin/rtpengine').describe('rtpengine executable (path)'),
    mediaTimeoutSeconds: z.number().int().min(1).default(60).describe('rtpengine ends a call that received no media for this long (--timeout); the SBC then ends it with CDR cause media-timeout'),
  })
  .describe('rtpengine, the media anchor');

const recordingsSection = z
  .strictObject({
    masterKeyFile: filePath.describe('File holding the 32-byte master key that wraps each recording\'s data key, as 64 hex digits or base64 on its first line (path)'),
    generateKeyIfMissing: z.boolean().default(false).describe('On first run, write a random master key to masterKeyFile if it does not exist (local POPs)'),
    retentionDays: z.number().int().min(1).default(90).describe('Recordings older than this are removed by `vpop recordings purge`'),
  })
  .describe('Call recordings, encrypted at rest (docs/media.md)');

const sbcSection = z
  .strictObject({
    metricsPort: port.optional().describe('Prometheus /metrics port of the edge SBC, on ops.address; vpop up serves it through the ops port'),
    sessionExpiresSeconds: z.number().int().min(1).default(1800).describe('RFC 4028 session interval the SBC asks for and grants on both legs'),
    minSessionExpiresSeconds: z.number().int().min(1).default(90).describe('Min-SE: the shortest session interval the SBC accepts'),
    auditIntervalSeconds: z.number().positive().default(5).describe('How often the SBC checks its calls against the engine\'s dialogs and rtpengine\'s calls'),
  })
  .describe('The edge SBC (drachtio app)');

const coreListener = z
  .strictObject({
    name: label('listener name').default('core').describe('Listener name, unique among the SIP listeners; used in metrics and logs'),
    transport: sipTransport.default('tls').describe('tls (mutual TLS: the core is identified by its certificate); udp or tcp only on a loopback address (single host, tests)'),
    address: ipAddress.describe('Inside address to bind; never a carrier-facing one'),
    port: port.describe('Port to bind'),
  })
  .describe("The edge's internal SIP listener: the only one that admits the routing core");

const routingCoreSection = z
  .strictObject({
    sipUri: sipUri.describe('SIP URI the edge hands calls to: the core\'s own listener (sips: for the mutual-TLS link)'),
    listener: coreListener.describe("The edge's internal listener for the core's requests (outbound legs, in-dialog requests); carrier and phone listeners never admit the core"),
    allow: uniqueList(cidr, 'CIDR block').min(1).optional().describe('Source addresses the internal listener admits at the socket (defense in depth; identity is the certificate); defaults to the host of sipUri'),
    caFile: filePath.optional().describe('PEM CA that issues the core\'s and the edge\'s link certificates (the POP CA); required when listener.transport is tls'),
    certificate: clientCertMatch.optional().describe('The core\'s identity: its client certificate on the internal listener (subject CN and/or SHA-256 fingerprint); required when listener.transport is tls'),
    certFile: filePath.optional().describe('PEM certificate of the core (path), read by a core started from this POP file (the stand-in core); its CN is certificate.subject'),
    keyFile: filePath.optional().describe('PEM private key of the core (path), with certFile'),
    httpAddress: ipAddress.optional().describe('Address of the routing core REST/WebSocket API'),
    httpPort: port.optional().describe('Port of the routing core REST/WebSocket API'),
  })
  .refine((core) => (core.certFile === undefined) === (core.keyFile === undefined), 'certFile and keyFile go together')
  .describe('Where the routing core is, and how the edge knows it is the core');

const opsSection = z
  .strictObject({
    address: ipAddress.default('127.0.0.1').describe('Address of /healthz, /readyz and /metrics: loopback or an inside/monitoring address, never a carrier-facing one'),
    port: port.describe('Port of /healthz, /readyz and /metrics'),
    allow: uniqueList(cidr, 'CIDR block').min(1).default(['127.0.0.0/8', '::1/128'])
      .describe('Source addresses that may connect to the ops endpoint; others are dropped unanswered. Default: loopback only'),
    tokenFile: filePath.optional()
      .describe('File holding a bearer token (path). When set, /metrics and the detailed /healthz (PIDs) need Authorization: Bearer <token>'),
  })
  .describe('Operations HTTP endpoint of the supervisor');

const redundancySection = z
  .strictObject({
    peer: z
      .strictObject({
        popId: label('peer popId').describe('pop.id of the other POP of the pair'),
        address: ipAddress.describe('Address the peer is reached at'),
      })
      .describe('The other POP of the pair'),
    role: z.enum(['primary', 'secondary']).describe('This POP\'s role in the pair'),
  })
  .describe('Redundant pair membership');

const firewallSection = z
  .strictObject({
    ssh: z
      .strictObject({
        port: port.default(22).describe('SSH port of the host'),
        allow: uniqueList(cidr, 'CIDR block').min(1).describe('Administrators\' networks; the only sources that reach SSH'),
      })
      .describe('SSH access to the host'),
    monitoring: z
      .strictObject({
        allow: uniqueList(cidr, 'CIDR block').min(1).describe('Prometheus servers\' networks; the only sources that reach the ops port'),
      })
      .describe('Who scrapes the ops endpoint'),
  })
  .describe('Host firewall that `vpop firewall render` writes from this file (nftables): SIP only from trunks and phones, media range open, ops port only from monitoring, SSH only from admins, everything else dropped and counted');

const loggingSection = z
  .strictObject({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('pino log level'),
  })
  .describe('Logging');

/** The object a POP file holds, before derived defaults; the JSON Schema is generated from it. */
export const popFileShape = z
  .strictObject({
    pop: popSection,
    sip: sipSection,
    tls: tlsSection.optional(),
    engine: engineSection,
    trunks: z.array(trunk).default([]).describe('Carrier trunks'),
    phones: phonesSection.optional(),
    rtpengine: rtpengineSection,
    recordings: recordingsSection.optional(),
    sbc: sbcSection.optional(),
    routingCore: routingCoreSection,
    ops: opsSection,
    redundancy: redundancySection.optional(),
    firewall: firewallSection.optional(),
    logging: loggingSection.prefault({}),
    stateDir: filePath.describe('Directory for generated certificates, CDRs and recordings (path)'),
  })
  .describe('One VPOP point of presence. Relative paths resolve against the directory of the POP file.');

/** Schema of one POP file. Output has defaults filled in; paths are still as written (the loader resolves them). */
export const popConfigSchema = popFileShape.transform((config) => ({
  ...config,
  rtpengine: {
    ...config.rtpengine,
    recordingDir: config.rtpengine.recordingDir ?? `${config.stateDir.replace(/\/+$/, '')}/recordings`,
  },
}));

/** A validated POP file with defaults applied. From loadPopConfig, every path in it is absolute. */
export type PopConfig = z.output<typeof popConfigSchema>;
/** What a POP file may contain (before defaults). */
export type PopConfigInput = z.input<typeof popConfigSchema>;
export type TrunkConfig = PopConfig['trunks'][number];
export type SipListenerConfig = PopConfig['sip']['listeners'][number];
export type CoreListenerConfig = PopConfig['routingCore']['listener'];
