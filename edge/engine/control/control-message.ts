// The messages of the drachtio control protocol, as pure parse/format
// functions. A payload is `<msgId>|<type>|<token>...`, optionally followed by
// CRLF and a SIP message. Token positions follow drachtio-srf's
// lib/drachtio-agent.js (`_onMsg`, `_makeRequest`, `sendResponse`, `proxy`).

export class ControlMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ControlMessageError';
  }
}

export interface ProxyCommand {
  stackTxnId: string;
  remainInDialog: boolean;
  fullResponse: boolean;
  followRedirects: boolean;
  simultaneous: boolean;
  provisionalTimeout: string;
  finalTimeout: string;
  destinations: string[];
}

/** A message an app sends to the engine. */
export type AppMessage =
  | { type: 'authenticate'; msgId: string; secret: string; tags: string[] }
  | { type: 'route'; msgId: string; verb: string }
  | { type: 'remove_route'; msgId: string; verb: string }
  | { type: 'ping'; msgId: string }
  | { type: 'sip'; msgId: string; stackTxnId: string; stackDialogId: string; proxy: string; sip: string }
  | { type: 'proxy'; msgId: string; command: ProxyCommand; sip: string }
  | { type: 'response'; msgId: string; responseTo: string; tokens: string[] }
  /** VPOP extension (not in drachtio): which of these dialog ids the engine still holds. */
  | { type: 'dialogs'; msgId: string; ids: string[] };

/** Most dialog ids one `dialogs` query may name. */
const MAX_DIALOG_QUERY_IDS = 20_000;

/** Split a payload into its `|`-separated leader tokens and the SIP text after the first CRLF. */
export function splitPayload(payload: string): { tokens: string[]; sip: string } {
  const cr = payload.indexOf('\r');
  const leader = cr === -1 ? payload : payload.slice(0, cr);
  const sip = cr === -1 ? '' : payload.slice(payload.charAt(cr + 1) === '\n' ? cr + 2 : cr + 1);
  return { tokens: leader.split('|'), sip };
}

const VERB = /^[A-Za-z][A-Za-z0-9:_.-]{0,63}$/;

export function parseAppMessage(payload: string): AppMessage {
  const { tokens, sip } = splitPayload(payload);
  const msgId = tokens[0] ?? '';
  const type = tokens[1];
  if (msgId === '' || type === undefined) throw new ControlMessageError('message has no id or type');
  switch (type) {
    case 'authenticate':
      return {
        type, msgId, secret: tokens[2] ?? '',
        tags: (tokens[3] ?? '').split(',').map((tag) => tag.trim()).filter((tag) => tag !== ''),
      };
    case 'route':
    case 'remove_route': {
      const verb = tokens[2] ?? '';
      if (!VERB.test(verb)) throw new ControlMessageError(`invalid verb '${verb.slice(0, 64)}'`);
      return { type, msgId, verb: verb.toLowerCase() };
    }
    case 'ping':
      return { type, msgId };
    case 'sip':
      if (sip === '') throw new ControlMessageError('sip message has no SIP content');
      return { type, msgId, stackTxnId: tokens[2] ?? '', stackDialogId: tokens[3] ?? '', proxy: tokens[4] ?? '', sip };
    case 'proxy': {
      if (tokens.length < 10) throw new ControlMessageError('proxy message has too few tokens');
      return {
        type, msgId, sip,
        command: {
          stackTxnId: tokens[2]!,
          remainInDialog: tokens[3] === 'remainInDialog',
          fullResponse: tokens[4] === 'fullResponse',
          followRedirects: tokens[5] === 'followRedirects',
          simultaneous: tokens[6] === 'simultaneous',
          provisionalTimeout: tokens[7]!,
          finalTimeout: tokens[8]!,
          destinations: tokens.slice(9).filter((dest) => dest !== ''),
        },
      };
    }
    case 'response':
      return { type, msgId, responseTo: tokens[2] ?? '', tokens: tokens.slice(3) };
    case 'dialogs': {
      const ids = (tokens[2] ?? '').split(',').filter((id) => id !== '');
      if (ids.length > MAX_DIALOG_QUERY_IDS) throw new ControlMessageError(`dialogs query names more than ${MAX_DIALOG_QUERY_IDS} ids`);
      return { type, msgId, ids };
    }
    default:
      throw new ControlMessageError(`unknown message type '${type.slice(0, 32)}'`);
  }
}

/** Where a SIP message came from or went to, as the app sees it in the leader. */
export interface SipMessageMeta {
  source: 'network' | 'application';
  protocol: string;
  address: string;
  port: number;
  /** Time of day the message was received or sent. */
  time: string;
  transactionId: string;
  dialogId: string;
}

/** Time of day in the format drachtio-server reports it (HH:MM:SS.micro). */
export function stackTime(now = new Date()): string {
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}.${pad(now.getMilliseconds() * 1000, 6)}`;
}

function metaTokens(meta: SipMessageMeta, sip: string): string {
  return `${meta.source}|${Buffer.byteLength(sip, 'utf8')}|${meta.protocol}|${meta.address}|${meta.port}|${meta.time}`;
}

/**
 * A SIP message the engine delivers to an app (a request from the network, a
 * response to the app's request, or an unsolicited request such as a BYE after
 * an ACK timeout). `receivedOn` is the local listener, reported as
 * receivedOnAddr|receivedOnPort.
 */
export function formatSipToApp(
  msgId: string, meta: SipMessageMeta, sip: string, receivedOn?: { address: string; port: number },
): string {
  const tail = receivedOn ? `${receivedOn.address}|${receivedOn.port}` : '';
  return `${msgId}|sip|${metaTokens(meta, sip)}|${meta.transactionId}|${meta.dialogId}|${tail}\r\n${sip}`;
}

/** Positive answer to an app's command; extra tokens follow OK. */
export function formatOk(msgId: string, responseTo: string, ...extra: string[]): string {
  return extra.length === 0
    ? `${msgId}|response|${responseTo}|OK`
    : `${msgId}|response|${responseTo}|OK|${extra.join('|')}`;
}

export function formatNok(msgId: string, responseTo: string, reason: string): string {
  return `${msgId}|response|${responseTo}|NOK|${reason.replace(/[|\r\n]/g, ' ')}`;
}

/**
 * Positive answer to an app's `sip` command, echoing the message actually sent
 * so the app sees the completed headers. `more` keeps the app's callback
 * registered for further answers (drachtio-srf's 'continue' token).
 */
export function formatSentOk(msgId: string, responseTo: string, meta: SipMessageMeta, sip: string, more = false): string {
  return `${msgId}|response|${responseTo}|OK|${metaTokens(meta, sip)}|${meta.transactionId}|${meta.dialogId}|` +
    `${more ? 'continue' : ''}|Msg sent:|\r\n${sip}`;
}

export type CdrEvent = 'attempt' | 'start' | 'stop';

/** A CDR event; `detail` is the role for start (uac/uas) and the reason for stop. */
export function formatCdr(msgId: string, event: CdrEvent, source: string, time: string, sip: string, detail?: string): string {
  const leader = event === 'attempt' ? `${msgId}|cdr:attempt|${source}|${time}` : `${msgId}|cdr:${event}|${source}|${time}|${detail ?? ''}`;
  return `${leader}\r\n${sip}`;
}
