import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { listenOnLoopback } from '../../models/test-support/listen-on-loopback.js';

/** A span as the collector received it, attribute values unwrapped from OTLP's AnyValue. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** Empty for a root span. */
  parentSpanId: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  status: { code?: number; message?: string };
  attributes: Record<string, unknown>;
  serviceName: unknown;
  scope: string;
}

export interface OtlpCollectorStub {
  /** Base address, as OTEL_EXPORTER_OTLP_ENDPOINT is written (`/v1/traces` is the traces path). */
  endpoint: string;
  spans: ReceivedSpan[];
  /** Requests received: content type, headers and how many spans each carried. */
  requests: Array<{ path: string; contentType: string; spans: number; headers: Record<string, string | string[] | undefined> }>;
  close(): Promise<void>;
}

interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string;
  doubleValue?: number;
  arrayValue?: { values?: AnyValue[] };
  kvlistValue?: { values?: KeyValue[] };
}
interface KeyValue {
  key: string;
  value?: AnyValue;
}

function unwrap(value: AnyValue | undefined): unknown {
  if (!value) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(unwrap);
  if (value.kvlistValue) return attributesOf(value.kvlistValue.values);
  return undefined;
}

function attributesOf(list: KeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, unwrap(kv.value)]));
}

interface ExportRequest {
  resourceSpans?: Array<{
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: Array<{
      scope?: { name?: string };
      spans?: Array<{
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind?: number;
        startTimeUnixNano: string;
        endTimeUnixNano: string;
        attributes?: KeyValue[];
        status?: { code?: number; message?: string };
      }>;
    }>;
  }>;
}

/**
 * A loopback OpenTelemetry collector for tests: it speaks OTLP/HTTP with JSON bodies (what
 * `@opentelemetry/exporter-trace-otlp-http` sends) on POST /v1/traces, answers as a collector does
 * (200 with an ExportTraceServiceResponse), refuses protobuf with 415, and keeps every span it received.
 */
export async function startOtlpCollectorStub(): Promise<OtlpCollectorStub> {
  const spans: ReceivedSpan[] = [];
  const requests: OtlpCollectorStub['requests'] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const contentType = String(req.headers['content-type'] ?? '');
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      if (!contentType.startsWith('application/json')) {
        res.writeHead(415, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 3, message: 'this stub decodes JSON only' }));
        return;
      }
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      let parsed: ExportRequest;
      try {
        parsed = JSON.parse(body.toString('utf8')) as ExportRequest;
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 3, message: 'not JSON' }));
        return;
      }
      let count = 0;
      for (const rs of parsed.resourceSpans ?? []) {
        const serviceName = attributesOf(rs.resource?.attributes)['service.name'];
        for (const ss of rs.scopeSpans ?? []) {
          for (const s of ss.spans ?? []) {
            count++;
            spans.push({
              traceId: s.traceId,
              spanId: s.spanId,
              parentSpanId: s.parentSpanId ?? '',
              name: s.name,
              kind: s.kind ?? 0,
              startTimeUnixNano: String(s.startTimeUnixNano),
              endTimeUnixNano: String(s.endTimeUnixNano),
              status: s.status ?? {},
              attributes: attributesOf(s.attributes),
              serviceName,
              scope: ss.scope?.name ?? '',
            });
          }
        }
      }
      requests.push({ path: req.url, contentType, spans: count, headers: req.headers });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ partialSuccess: {} }));
    });
  });
  const { baseUrl, close } = await listenOnLoopback(server);
  return { endpoint: baseUrl.replace(/\/v1$/, ''), spans, requests, close };
}
