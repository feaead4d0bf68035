// The SIP text an app sends in a `sip` command is deliberately partial: a
// response may carry only its status line and the app's own headers, a new
// request only its start line, and the engine completes the rest. So it is read
// here with a lenient grammar that requires nothing but the start line; the
// strict network parser (messages/) would reject it. The app's Content-Length is
// ignored: the control framing already delimits the body, and the engine
// computes the length of what it sends.
import { SipHeaders, SipRequest, SipResponse, type SipMessage } from '../messages/sip-message.js';

export class AppSipTextError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AppSipTextError';
  }
}

const STATUS_LINE = /^SIP\/2\.0 ([1-6]\d\d)(?: (.*))?$/;
const REQUEST_LINE = /^([A-Za-z][A-Za-z0-9._!%*+`'~-]*) (\S+) SIP\/2\.0$/;

export function parseAppSipText(text: string): SipMessage {
  let headerEnd = text.indexOf('\r\n\r\n');
  let bodyStart = headerEnd + 4;
  if (headerEnd === -1) {
    const bare = text.indexOf('\n\n');
    headerEnd = bare === -1 ? text.length : bare;
    bodyStart = bare === -1 ? text.length : bare + 2;
  }
  const lines = text.slice(0, headerEnd).split(/\r?\n/);
  const startLine = (lines[0] ?? '').trim();
  const headers = new SipHeaders();
  let pending: { name: string; value: string } | undefined;
  const flush = (): void => {
    if (pending && pending.name.toLowerCase() !== 'content-length' && pending.name.toLowerCase() !== 'l') {
      headers.append(pending.name, pending.value);
    }
    pending = undefined;
  };
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    if ((line.startsWith(' ') || line.startsWith('\t')) && pending) {
      pending.value += ` ${line.trim()}`;
      continue;
    }
    flush();
    const colon = line.indexOf(':');
    if (colon <= 0) throw new AppSipTextError(`malformed header line '${line.slice(0, 80)}'`);
    const name = line.slice(0, colon).trim();
    if (!/^[A-Za-z0-9!%*_+`'~.-]+$/.test(name)) throw new AppSipTextError(`invalid header name '${name.slice(0, 80)}'`);
    pending = { name, value: line.slice(colon + 1).trim() };
  }
  flush();
  const body = bodyStart >= text.length ? Buffer.alloc(0) : Buffer.from(text.slice(bodyStart), 'utf8');

  const status = STATUS_LINE.exec(startLine);
  if (status) return new SipResponse(Number(status[1]), status[2] ?? '', headers, body);
  const request = REQUEST_LINE.exec(startLine);
  if (request) return new SipRequest(request[1]!.toUpperCase(), request[2]!, headers, body);
  throw new AppSipTextError(`invalid start line '${startLine.slice(0, 80)}'`);
}
