// What an app asks of the proxy, from drachtio's `proxy` command (tokenised by
// control/control-message.ts; drachtio-srf lib/drachtio-agent.js proxy()).
// Timeouts are "<n>s" or "<n>ms" or empty, as drachtio-server accepts them.

import type { ProxyCommand as ControlProxyCommand } from '../control/control-message.js';
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

/** Parse "2s" / "1500ms" into milliseconds; '' is "not set". */
export function parseProxyTimeout(text: string): number | undefined | Error {
  if (text === '') return undefined;
  const match = /^(\d{1,9})(ms|s)$/.exec(text);
  if (!match) return new Error(`invalid timeout '${text}' (expected e.g. 2s or 1500ms)`);
  const value = Number(match[1]);
  return match[2] === 's' ? value * 1000 : value;
}

/**
 * ProxyOptions from a parsed drachtio `proxy` command (control/control-message.ts).
 * Extra headers come from the partial SIP message that follows the command line.
 */
export function proxyOptionsFromCommand(command: ControlProxyCommand, extraHeaders: HeaderField[] = []): ProxyOptions | Error {
  const provisionalTimeoutMs = parseProxyTimeout(command.provisionalTimeout);
  if (provisionalTimeoutMs instanceof Error) return new Error(`proxy: provisionalTimeout: ${provisionalTimeoutMs.message}`);
  const finalTimeoutMs = parseProxyTimeout(command.finalTimeout);
  if (finalTimeoutMs instanceof Error) return new Error(`proxy: finalTimeout: ${finalTimeoutMs.message}`);
  const destinations = command.destinations.map((destination) => destination.trim()).filter((destination) => destination !== '');
  if (destinations.length === 0) return new Error('proxy: no destination');
  const options: ProxyOptions = {
    destinations,
    recordRoute: command.remainInDialog,
    fullResponse: command.fullResponse,
    followRedirects: command.followRedirects,
    forking: command.simultaneous ? 'simultaneous' : 'serial',
    extraHeaders,
  };
  if (provisionalTimeoutMs !== undefined) options.provisionalTimeoutMs = provisionalTimeoutMs;
  if (finalTimeoutMs !== undefined) options.finalTimeoutMs = finalTimeoutMs;
  return options;
}
