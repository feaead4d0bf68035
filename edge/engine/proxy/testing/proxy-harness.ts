// A minimal SIP proxy process for tests: real transports (UDP/TCP on loopback) and
// the real transaction layer, with ProxyService as the transaction user. Each new
// INVITE is proxied with the options `route(request)` returns; everything else
// follows the Route headers of record-routed dialogs. Test-only.

import { pino } from 'pino';
import { Registry } from 'prom-client';
import { AllowList } from '../../allow-list/allow-list.js';
import { SipServerLocator } from '../../dns/sip-server-locator.js';
import { parseSipMessage } from '../../messages/parse-message.js';
import { serializeSipMessage } from '../../messages/serialize-message.js';
import type { SipRequest, SipResponse } from '../../messages/sip-message.js';
import { responseTo } from '../../transactions/local-responses.js';
import { newTag } from '../../transactions/branch.js';
import { TransactionLayer } from '../../transactions/transaction-layer.js';
import { isReliableProtocol, type TransactionTransport } from '../../transactions/transaction-transport.js';
import type { TransactionUser } from '../../transactions/transaction-user.js';
import { TransportLayer } from '../../transport/transport-layer.js';
import type { SendTarget, Transport } from '../../transport/types.js';
import type { ProxyOptions } from '../proxy-options.js';
import type { ProxyReporter } from '../proxy-ports.js';
import { ProxyService, localAddressOfListener } from '../proxy-service.js';
import { transactionLayerPort } from '../transaction-layer-port.js';

export interface ProxyEvent {
  kind: 'final' | 'done' | 'failed';
  status?: number;
  from?: string;
  reason?: string;
}

export interface RunningProxy {
  address: string;
  port: number;
  events: ProxyEvent[];
  /** The proxy's Prometheus exposition text. */
  metrics(): Promise<string>;
  stop(): Promise<void>;
}

export interface TestProxyOptions {
  address: string;
  port: number;
  /** One listener per transport, all on address:port. */
  transports: Transport[];
  /** The proxy options for each new INVITE (what a drachtio app's proxy command would say). */
  route: (request: SipRequest) => ProxyOptions;
  /** DNS servers for RFC 3263 lookups of non-numeric targets. */
  dnsServers?: string[];
}

export async function startTestProxy(options: TestProxyOptions): Promise<RunningProxy> {
  const { address, port, transports, route } = options;
  const allowList = AllowList.parse(['127.0.0.0/8']);
  const transport = new TransportLayer({
    listeners: transports.map((name) => ({ name, transport: name, address, port, allowList })),
  });
  const events: ProxyEvent[] = [];
  const reporter: ProxyReporter = {
    finalResponse: (response, source) =>
      void events.push({ kind: 'final', status: response.status, from: `${source.address}:${source.port}` }),
    done: () => void events.push({ kind: 'done' }),
    failed: (reason) => void events.push({ kind: 'failed', reason }),
  };
  const wire: TransactionTransport = {
    send(message, target, errors) {
      transport.send(serializeSipMessage(message), target as SendTarget).catch((error: Error) => errors?.onTransportError(error));
    },
    isReliable: isReliableProtocol,
  };
  const holder: { service?: ProxyService } = {};
  const user: TransactionUser = {
    onRequest(request, transaction) {
      const service = holder.service!;
      if (service.isRoutedThroughUs(request)) service.routeInDialog(request, transaction);
      else if (request.method === 'INVITE') service.proxy(request, transaction, route(request), reporter);
      else transaction.respond(responseTo(request, 481, 'Call/Transaction Does Not Exist', newTag()));
    },
    onCancel(invite) {
      if (!holder.service!.cancel(invite)) invite.respond(responseTo(invite.request, 487, 'Request Terminated', newTag()));
    },
    onAck2xx(ack: SipRequest) {
      if (holder.service!.isRoutedThroughUs(ack)) void holder.service!.forwardAck(ack);
    },
    onStrayResponse(response: SipResponse) {
      holder.service!.forwardStrayResponse(response);
    },
    onTransactionTimeout: () => {},
    onTransportError: () => {},
  };
  const layer = new TransactionLayer({ transport: wire, user });
  const registry = new Registry();
  holder.service = new ProxyService({
    transactions: transactionLayerPort(layer),
    sendStateless: (message, destination) => layer.sendStateless(message, destination),
    newBranch: () => layer.newBranch(),
    locator: new SipServerLocator(options.dnsServers ? { servers: options.dnsServers, timeoutMs: 500, tries: 1 } : {}),
    listeners: () => transport.boundListeners().map(localAddressOfListener),
    logger: pino({ level: 'silent' }),
    registry,
  });
  transport.onMessage((raw, origin) => {
    try {
      layer.receive(parseSipMessage(raw), origin);
    } catch {
      // Unparsable input is not what these tests are about; the engine answers it.
    }
  });
  await transport.start();
  return {
    address,
    port,
    events,
    metrics: () => registry.metrics(),
    stop: async () => {
      layer.close();
      await transport.stop();
    },
  };
}
