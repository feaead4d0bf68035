import Srf from 'drachtio-srf';
import { connectToEngine, requestUser, targetUri, type AppOptions, type RunningApp } from './app-options.js';

/**
 * A back-to-back user agent in drachtio-srf's own style: srf.createB2BUA for the INVITE,
 * then every in-dialog request relayed to the other leg (re-INVITE, UPDATE, INFO) and a BYE
 * on either side tearing down the other. Reliable provisionals (100rel) are the engine's job;
 * the app only carries Supported/Require across. Out-of-dialog OPTIONS are relayed too, so a
 * SIPp caller's OPTIONS reaches the callee behind the B2BUA.
 */
export async function start(options: AppOptions): Promise<RunningApp> {
  const srf = new Srf();
  srf.invite((req, res) => {
    srf
      .createB2BUA(req, res, targetUri(requestUser(req.uri), options.target), {
        proxyRequestHeaders: ['Supported', 'Require', 'Subject'],
        proxyResponseHeaders: ['Supported', 'Require'],
      })
      .then(({ uas, uac }) => {
        relayDialog(uas, uac);
        relayDialog(uac, uas);
      })
      // A failed B leg has already been answered on the A leg (passFailure), and a CANCELled
      // A leg has cancelled the B leg: nothing is left to do.
      .catch(() => undefined);
  });
  const withOptions = srf as unknown as { options(handler: (req: Srf.SrfRequest, res: Srf.SrfResponse) => void): void };
  withOptions.options((req, res) => {
    relayOptions(srf, req, targetUri(requestUser(req.uri), options.target))
      .then((status) => res.send(status))
      .catch(() => res.send(503));
  });
  await connectToEngine(srf, options);
  return { srf, stop: () => srf.disconnect() };
}

interface RelayedResponse {
  status: number;
  reason?: string;
  body?: string;
  get(name: string): string | undefined;
}

function relayDialog(from: Srf.Dialog, to: Srf.Dialog): void {
  from.on('destroy', () => {
    to.destroy();
  });
  from.on('modify', (req, res) => {
    to.modify(req.body)
      .then((sdp) => res.send(200, { body: sdp, headers: { 'Content-Type': 'application/sdp' } }))
      .catch((error: { status?: number }) => res.send(error.status ?? 500));
  });
  from.on('update', relayRequest('UPDATE', to));
  from.on('info', relayRequest('INFO', to));
}

/** A handler that sends the same request on the other leg and answers with its response. */
function relayRequest(method: 'UPDATE' | 'INFO', to: Srf.Dialog): (req: Srf.SrfRequest, res: Srf.SrfResponse) => void {
  // The bundled typings declare Dialog#request's options as a request object; it takes a plain one.
  const request = to.request as unknown as (opts: Record<string, unknown>) => Promise<RelayedResponse>;
  return (req, res) => {
    const contentType = req.get('Content-Type');
    request
      .call(to, { method, body: req.body, headers: contentType ? { 'Content-Type': contentType } : {} })
      .then((response) => {
        const responseType = response.get('Content-Type');
        res.send(response.status, response.reason ?? '', {
          body: response.body,
          headers: responseType ? { 'Content-Type': responseType } : {},
        });
      })
      .catch(() => res.send(500));
  };
}

/**
 * Sends an OPTIONS to the next hop and resolves with its final status. The callback form
 * matters: the engine's "sent" acknowledgement and the far end's response can arrive in one
 * read, and only the callback runs before drachtio-srf emits that response.
 */
function relayOptions(srf: Srf, req: Srf.SrfRequest, uri: string): Promise<number> {
  type RequestWithCallback = (uri: string, opts: Record<string, unknown>, callback: (error: unknown, sent: Srf.SrfRequest) => void) => void;
  const request = srf.request as unknown as RequestWithCallback;
  return new Promise((resolve, reject) => {
    request.call(srf, uri, { method: 'OPTIONS', headers: { Accept: req.get('Accept') || 'application/sdp' } }, (error, sent) => {
      if (error) return reject(error instanceof Error ? error : new Error(String(error)));
      sent.on('response', (response?: Srf.SrfResponse) => {
        if (response && response.status >= 200) resolve(response.status);
      });
    });
  });
}
