// The flow's HTTP request: URL with {variable} placeholders, optional JSON body from an
// expression, a timeout, the response parsed as JSON or XML (fast-xml-parser: a
// maintained parser that does not expand external entities) and mapped into variables.
import { XMLParser } from 'fast-xml-parser';
import jsonata from 'jsonata';
import type { ActivityOf } from './flow-schema.js';

export interface HttpResult {
  status: number;
  assigned: Record<string, unknown>;
}

export class HttpActivityError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
    this.name = 'HttpActivityError';
  }
}

function expandUrl(template: string, variables: Record<string, unknown>): string {
  return template.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_match, name: string) => encodeURIComponent(String(variables[name] ?? '')));
}

export async function runHttpActivity(activity: ActivityOf<'http'>, variables: Record<string, unknown>): Promise<HttpResult> {
  const url = expandUrl(activity.url, variables);
  const body = activity.body === undefined ? undefined : JSON.stringify(await jsonata(activity.body).evaluate(variables));
  let response: Response;
  try {
    response = await fetch(url, {
      method: activity.method,
      headers: { accept: activity.parse === 'xml' ? 'application/xml' : 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body,
      signal: AbortSignal.timeout(activity.timeoutSeconds * 1000),
    });
  } catch (error) {
    const name = (error as Error).name;
    throw new HttpActivityError(name === 'TimeoutError' ? `no answer within ${activity.timeoutSeconds} s` : `request failed (${(error as Error).message})`);
  }
  const text = await response.text();
  if (!response.ok) throw new HttpActivityError(`HTTP ${response.status}`, response.status);
  let parsed: unknown = text;
  try {
    if (activity.parse === 'json') parsed = text === '' ? null : JSON.parse(text);
    if (activity.parse === 'xml') parsed = new XMLParser({ ignoreAttributes: false, processEntities: false }).parse(text, true);
  } catch (error) {
    throw new HttpActivityError(`response is not valid ${activity.parse.toUpperCase()}: ${(error as Error).message}`, response.status);
  }
  const assigned: Record<string, unknown> = {};
  for (const [name, expression] of Object.entries(activity.assign)) {
    assigned[name] = await jsonata(expression).evaluate(parsed, { status: response.status });
  }
  return { status: response.status, assigned };
}
