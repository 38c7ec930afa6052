/**
 * The service's metric families, created once per app on its own registry. Names follow
 * Prometheus conventions (base units, _total for counters, _seconds for durations).
 */
import { MetricsRegistry, type Counter, type Gauge, type Histogram } from './metrics.ts';

export interface ServiceMetrics {
  registry: MetricsRegistry;
  /** Events received, by source (vtp-receiver, vtp-subscriber, gcn-kafka, optical-file…) and outcome. */
  eventsIn: Counter;
  /** Messages sent, by sink (websocket, vtp-broadcaster, vtp-sender, kafka, jsonl). */
  eventsOut: Counter;
  /** Inputs that could not be parsed or validated, by source. */
  parseErrors: Counter;
  /** Time from a record's arrival to the join decision, seconds, by record kind (notice, optical). */
  joinLatency: Histogram;
  /** Connected WebSocket clients. */
  websocketClients: Gauge;
  /** WebSocket clients closed for buffering too much (close code 4008). */
  websocketSlowClosed: Counter;
  /** Consumer lag, messages, by input, topic and partition. */
  kafkaLag: Gauge;
  /** Seconds since the last event of each input. */
  inputLag: Gauge;
  /** The last seq written to the outbox. */
  outboxSeq: Gauge;
}

/** Latency buckets, seconds: 100 µs to 10 s. */
export const LATENCY_BUCKETS_SEC = [
  0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10,
];

export function createServiceMetrics(): ServiceMetrics {
  const registry = new MetricsRegistry();
  return {
    registry,
    eventsIn: registry.counter('coincide_events_in_total', 'Events received, by source and outcome.'),
    eventsOut: registry.counter('coincide_events_out_total', 'Messages sent, by sink.'),
    parseErrors: registry.counter(
      'coincide_parse_errors_total',
      'Inputs refused by parsing or validation, by source.',
    ),
    joinLatency: registry.histogram(
      'coincide_join_latency_seconds',
      'Time from the arrival of a record to the join decision, by record kind.',
      LATENCY_BUCKETS_SEC,
    ),
    websocketClients: registry.gauge('coincide_websocket_clients', 'Connected WebSocket clients.'),
    websocketSlowClosed: registry.counter(
      'coincide_websocket_slow_closed_total',
      'WebSocket clients closed because too much was buffered for them.',
    ),
    kafkaLag: registry.gauge(
      'coincide_kafka_lag_messages',
      'Kafka consumer lag, by input, topic and partition.',
    ),
    inputLag: registry.gauge('coincide_input_lag_seconds', 'Seconds since the last event of each input.'),
    outboxSeq: registry.gauge('coincide_outbox_seq', 'The last seq assigned in the outbox.'),
  };
}
