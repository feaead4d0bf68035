// Prometheus metrics of the transport layer. Hot paths hold pre-labelled
// children so counting a message is one property increment, not a label lookup.
import { Counter, Gauge, Registry } from 'prom-client';

function counter<T extends string>(registry: Registry, name: string, help: string, labelNames: readonly T[]): Counter<T> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Counter<T>;
  return new Counter<T>({ name, help, labelNames, registers: [registry] });
}

function gauge<T extends string>(registry: Registry, name: string, help: string, labelNames: readonly T[]): Gauge<T> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Gauge<T>;
  return new Gauge<T>({ name, help, labelNames, registers: [registry] });
}

export class TransportMetrics {
  readonly allowListDrops: Counter<'listener' | 'transport'>;
  readonly tlsHandshakeFailures: Counter<'listener' | 'reason'>;
  readonly connectionsRejected: Counter<'listener' | 'reason'>;
  readonly streamErrors: Counter<'transport' | 'reason'>;
  readonly datagramsDropped: Counter<'listener' | 'reason'>;
  readonly messagesReceived: Counter<'listener' | 'transport'>;
  readonly keepAlivePings: Counter<'transport'>;
  readonly connections: Gauge<'transport' | 'direction'>;

  constructor(readonly registry: Registry = new Registry()) {
    this.allowListDrops = counter(
      registry,
      'vpop_engine_allowlist_drops_total',
      'Datagrams dropped and connections closed because the source address is not on the listener allow-list',
      ['listener', 'transport'],
    );
    this.tlsHandshakeFailures = counter(
      registry,
      'vpop_engine_tls_handshake_failures_total',
      'Inbound TLS handshakes that failed, including rejected client certificates',
      ['listener', 'reason'],
    );
    this.connectionsRejected = counter(
      registry,
      'vpop_engine_transport_connections_rejected_total',
      'Inbound connections closed at accept because a connection limit was reached',
      ['listener', 'reason'],
    );
    this.streamErrors = counter(
      registry,
      'vpop_engine_transport_stream_errors_total',
      'TCP/TLS connections closed because of a framing error, a full send buffer or an idle timeout',
      ['transport', 'reason'],
    );
    this.datagramsDropped = counter(
      registry,
      'vpop_engine_transport_datagrams_dropped_total',
      'Datagrams from allowed sources dropped before parsing (oversize)',
      ['listener', 'reason'],
    );
    this.messagesReceived = counter(
      registry,
      'vpop_engine_transport_messages_received_total',
      'SIP messages handed to the engine by the transport layer',
      ['listener', 'transport'],
    );
    this.keepAlivePings = counter(
      registry,
      'vpop_engine_transport_keepalive_pings_total',
      'RFC 5626 CRLFCRLF pings answered on streams',
      ['transport'],
    );
    this.connections = gauge(registry, 'vpop_engine_transport_connections', 'Open TCP/TLS connections', [
      'transport',
      'direction',
    ]);
  }
}
