// Serialise a SipMessage to wire bytes (RFC 3261 §7): CRLF line ends, canonical
// header names, and a Content-Length that always matches the body.

import type { SipMessage } from './sip-message.js';

/** CR and LF in a value would start a new header line (header injection); fold them to a space. */
function safeValue(value: string): string {
  return value.indexOf('\r') === -1 && value.indexOf('\n') === -1 ? value : value.replace(/[\r\n]+/g, ' ');
}

export function serializeSipMessage(msg: SipMessage): Buffer {
  let head = msg.kind === 'request'
    ? `${msg.method} ${msg.uri} ${msg.version}\r\n`
    : `${msg.version} ${msg.status} ${msg.reason}\r\n`;
  let wroteLength = false;
  const contentLength = `Content-Length: ${msg.body.length}\r\n`;
  for (const field of msg.headers) {
    if (field.name === 'Content-Length') {
      // Written once, where the first one was, with the real body size.
      if (!wroteLength) head += contentLength;
      wroteLength = true;
      continue;
    }
    head += `${field.name}: ${safeValue(field.value)}\r\n`;
  }
  if (!wroteLength) head += contentLength;
  head += '\r\n';
  if (msg.body.length === 0) return Buffer.from(head, 'utf8');
  const headBytes = Buffer.byteLength(head, 'utf8');
  const out = Buffer.allocUnsafe(headBytes + msg.body.length);
  out.write(head, 0, 'utf8');
  msg.body.copy(out, headBytes);
  return out;
}
