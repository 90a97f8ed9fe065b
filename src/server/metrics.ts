import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The server's Prometheus metrics, in a registry of its own (two servers in one process do not mix). */
export interface ServerMetrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status'>;
  duration: Histogram<'method' | 'route'>;
  tokens: Counter<'model' | 'kind'>;
  queueWaiting: Gauge;
  queueActive: Gauge;
  queueRejected: Counter;
  rateLimited: Counter;
  ingestJobs: Gauge<'state'>;
}

export function createServerMetrics(options: { processMetrics?: boolean } = {}): ServerMetrics {
  const registry = new Registry();
  // Process metrics (RSS, event-loop lag, GC) are process-wide; tests starting several servers turn them off.
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'lore_' });
  const registers = [registry];
  return {
    registry,
    requests: new Counter({ name: 'lore_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['method', 'route', 'status'], registers }),
    duration: new Histogram({
      name: 'lore_http_request_duration_seconds',
      help: 'Time to the end of the response (streams included), by route',
      labelNames: ['method', 'route'],
      // From a cached keyword search (ms) to a long streamed answer (tens of seconds).
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    tokens: new Counter({ name: 'lore_model_tokens_total', help: 'Language model tokens, by model and kind (input/output)', labelNames: ['model', 'kind'], registers }),
    queueWaiting: new Gauge({ name: 'lore_work_queue_waiting', help: 'Expensive requests waiting for a slot', registers }),
    queueActive: new Gauge({ name: 'lore_work_queue_active', help: 'Expensive requests running', registers }),
    queueRejected: new Counter({ name: 'lore_work_queue_rejected_total', help: 'Requests refused with 503 because the work queue was full', registers }),
    rateLimited: new Counter({ name: 'lore_rate_limited_total', help: 'Requests refused with 429 by the per-key rate limit', registers }),
    ingestJobs: new Gauge({ name: 'lore_ingest_jobs', help: 'Upload ingestion jobs by state', labelNames: ['state'], registers }),
  };
}
