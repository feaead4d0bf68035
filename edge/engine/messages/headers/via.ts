// Via (RFC 3261 §20.42, §25.1; rport from RFC 3581):
//   via-parm = sent-protocol LWS sent-by *( SEMI via-params )
//   sent-protocol = protocol-name SLASH protocol-version SLASH transport
// LWS is allowed around every '/', ';' and '=' (RFC 4475 §3.1.1.1 exercises it).

import { TOKEN, isClass, isLws, skipLws } from './char-classes.js';
import { formatParams, parseParams, type HeaderParams } from './header-params.js';
import { firstListElement, splitHeaderList } from './header-list.js';
import { parseHostPort } from './sip-uri.js';

/** Transports we know; any other token is kept as written (upper-cased), as RFC 4475 §3.1.1.10 requires. */
export type ViaTransport = 'UDP' | 'TCP' | 'TLS' | 'SCTP' | 'WS' | 'WSS' | (string & {});

export interface Via {
  protocol: 'SIP/2.0';
  transport: ViaTransport;
  host: string;
  port?: number;
  /** All parameters (branch, received and rport included), lower-cased names, raw values. */
  params: HeaderParams;
  branch?: string;
  received?: string;
  /** rport with a value (response) or `true` when present without one (request, RFC 3581). */
  rport?: number | true;
}

/** Read one token after optional LWS; returns [token, index after it] or undefined. */
function readToken(text: string, from: number): [string, number] | undefined {
  const start = skipLws(text, from);
  let i = start;
  while (i < text.length && isClass(text.charCodeAt(i), TOKEN)) i++;
  return i === start ? undefined : [text.slice(start, i), i];
}

function expectSlash(text: string, from: number): number {
  const i = skipLws(text, from);
  return i < text.length && text.charCodeAt(i) === 0x2f ? i + 1 : -1;
}

/** Parse one via-parm (a single element of a Via list); undefined when malformed. */
export function parseVia(value: string): Via | undefined {
  const name = readToken(value, 0);
  if (!name || name[0].toUpperCase() !== 'SIP') return undefined;
  let i = expectSlash(value, name[1]);
  if (i === -1) return undefined;
  const version = readToken(value, i);
  if (!version || version[0] !== '2.0') return undefined;
  i = expectSlash(value, version[1]);
  if (i === -1) return undefined;
  const transport = readToken(value, i);
  if (!transport) return undefined;
  i = transport[1];
  if (i >= value.length || !isLws(value.charCodeAt(i))) return undefined;
  const hostStart = skipLws(value, i);
  // sent-by runs to LWS or ';'; a ':' port may be surrounded by LWS ("host : 5060").
  let hostEnd = hostStart;
  if (value.charCodeAt(hostStart) === 0x5b) hostEnd = value.indexOf(']', hostStart) + 1;
  if (hostEnd === 0) return undefined;
  let end = hostEnd;
  while (end < value.length) {
    const code = value.charCodeAt(end);
    if (code === 0x3b || isLws(code)) break;
    end++;
  }
  let sentBy = value.slice(hostStart, end);
  let paramsStart = end;
  const afterHost = skipLws(value, end);
  if (afterHost < value.length && value.charCodeAt(afterHost) === 0x3a) {
    const portStart = skipLws(value, afterHost + 1);
    let portEnd = portStart;
    while (portEnd < value.length && isClass(value.charCodeAt(portEnd), 2 /* DIGIT */)) portEnd++;
    sentBy += `:${value.slice(portStart, portEnd)}`;
    paramsStart = portEnd;
  }
  const hostPort = parseHostPort(sentBy, 0, sentBy.length);
  if (!hostPort) return undefined;
  const params = parseParams(value, paramsStart);
  if (!params) return undefined;

  const via: Via = { protocol: 'SIP/2.0', transport: transport[0].toUpperCase(), host: hostPort.host, params };
  if (hostPort.port !== undefined) via.port = hostPort.port;
  const branch = params.get('branch');
  if (branch) via.branch = branch;
  const received = params.get('received');
  if (received) via.received = received;
  if (params.has('rport')) {
    const rport = params.get('rport');
    if (rport === null || rport === undefined) via.rport = true;
    else {
      const port = Number(rport);
      if (!/^\d{1,5}$/.test(rport) || port > 65535) return undefined;
      via.rport = port;
    }
  }
  return via;
}

/** Parse every via-parm of a (possibly comma-joined) Via header value; undefined if any is malformed. */
export function parseViaList(value: string): Via[] | undefined {
  const vias: Via[] = [];
  for (const element of splitHeaderList(value)) {
    const via = parseVia(element);
    if (!via) return undefined;
    vias.push(via);
  }
  return vias.length > 0 ? vias : undefined;
}

/** The first via-parm of a header value (the top Via when given the first Via line). */
export function parseTopVia(value: string): Via | undefined {
  return parseVia(firstListElement(value));
}

/**
 * Format a Via. `params` is the source of truth for parameters, except that
 * branch/received/rport fields, when set, override their entries.
 */
export function formatVia(via: Via): string {
  const params = new Map(via.params);
  if (via.branch !== undefined) params.set('branch', via.branch);
  if (via.received !== undefined) params.set('received', via.received);
  if (via.rport !== undefined) params.set('rport', via.rport === true ? null : String(via.rport));
  const port = via.port === undefined ? '' : `:${via.port}`;
  return `SIP/2.0/${via.transport} ${via.host}${port}${formatParams(params)}`;
}
