// What an app asks of the proxy, and the parsing of drachtio's `proxy` command:
//   proxy|<stackTxnId>|<remainInDialog?>|<fullResponse?>|<followRedirects?>|
//        <simultaneous|serial>|<provisionalTimeout>|<finalTimeout>|<dest1>|<dest2>...
// (drachtio-srf lib/drachtio-agent.js proxy()). Timeouts are "<n>s" or "<n>ms" or empty.

import type { HeaderField } from '../messages/sip-message.js';

export type ForkingMode = 'serial' | 'simultaneous';

export interface ProxyOptions {
  /** Target URIs in order; empty means "the Request-URI" (in-dialog routing). */
  destinations: string[];
  /** Add Record-Route so in-dialog requests come back through us (drachtio remainInDialog). */
  recordRoute: boolean;
  /** The app wants every final response reported (drachtio fullResponse). */
  fullResponse: boolean;
  /** Turn 3xx Contacts into new targets. */
  followRedirects: boolean;
  forking: ForkingMode;
  /** No provisional response within this → give up on the target and try the next. */
  provisionalTimeoutMs?: number;
  /** No final response within this → CANCEL the target and try the next. */
  finalTimeoutMs?: number;
  /** Headers the app wants set on the forwarded request. */
  extraHeaders?: HeaderField[];
}

export interface ProxyCommand {
  stackTxnId: string;
  options: ProxyOptions;
}

/** Parse "2s" / "1500ms" into milliseconds; '' is "not set". */
export function parseProxyTimeout(text: string): number | undefined | Error {
  if (text === '') return undefined;
  const match = /^(\d{1,9})(ms|s)$/.exec(text);
  if (!match) return new Error(`invalid timeout '${text}' (expected e.g. 2s or 1500ms)`);
  const value = Number(match[1]);
  return match[2] === 's' ? value * 1000 : value;
}

/**
 * Parse the fields of a proxy command after the leading "proxy" token
 * (`fields[0]` is the stackTxnId). Extra headers come from the partial SIP message
 * that follows the command line and are passed in already parsed.
 */
export function parseProxyCommand(fields: readonly string[], extraHeaders: HeaderField[] = []): ProxyCommand | Error {
  const [stackTxnId, remainInDialog, fullResponse, followRedirects, forking, provisional, final, ...destinations] = fields;
  if (!stackTxnId) return new Error('proxy: missing stackTxnId');
  if (forking !== 'serial' && forking !== 'simultaneous') {
    return new Error(`proxy: forking must be 'serial' or 'simultaneous', got '${forking ?? ''}'`);
  }
  const provisionalTimeoutMs = parseProxyTimeout(provisional ?? '');
  if (provisionalTimeoutMs instanceof Error) return new Error(`proxy: provisionalTimeout: ${provisionalTimeoutMs.message}`);
  const finalTimeoutMs = parseProxyTimeout(final ?? '');
  if (finalTimeoutMs instanceof Error) return new Error(`proxy: finalTimeout: ${finalTimeoutMs.message}`);
  const targets = destinations.map((destination) => destination.trim()).filter((destination) => destination !== '');
  if (targets.length === 0) return new Error('proxy: no destination');

  const options: ProxyOptions = {
    destinations: targets,
    recordRoute: remainInDialog === 'remainInDialog',
    fullResponse: fullResponse === 'fullResponse',
    followRedirects: followRedirects === 'followRedirects',
    forking,
    extraHeaders,
  };
  if (provisionalTimeoutMs !== undefined) options.provisionalTimeoutMs = provisionalTimeoutMs;
  if (finalTimeoutMs !== undefined) options.finalTimeoutMs = finalTimeoutMs;
  return { stackTxnId, options };
}
