import type { Attributes, HrTime } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { GEN_AI, LORE } from './attributes.js';

// OpenTelemetry's enum values, fixed by the specification, written as numbers so that this module (used by
// exporters the library exports) loads no OpenTelemetry code until tracing starts.
const KINDS = ['internal', 'server', 'client', 'producer', 'consumer'];
const STATUS_ERROR = 2;

/** Nanoseconds since the epoch, exactly: 1.7e18 does not fit a double's 53 bits, a BigInt does. */
export function hrTimeToNs(time: HrTime): bigint {
  return BigInt(time[0]) * 1_000_000_000n + BigInt(time[1]);
}

const isoOfNs = (ns: bigint) => new Date(Number(ns / 1_000_000n)).toISOString();

function numberAttr(attributes: Attributes, key: string): number | undefined {
  const v = attributes[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** A span as the `spans` table holds it, in either database. */
export interface SpanRecord {
  spanId: string;
  parentId: string | null;
  name: string;
  kind: string;
  startNs: bigint;
  endNs: bigint;
  status: 'ok' | 'error';
  statusMessage: string | null;
  attributes: Attributes;
  events: Array<{ name: string; atMs: number; attributes?: Attributes }>;
}

export function spanRecord(span: ReadableSpan): SpanRecord {
  const startNs = hrTimeToNs(span.startTime);
  return {
    spanId: span.spanContext().spanId,
    parentId: span.parentSpanContext?.spanId ?? null,
    name: span.name,
    kind: KINDS[span.kind as number] ?? 'internal',
    startNs,
    endNs: hrTimeToNs(span.endTime),
    status: span.status.code === STATUS_ERROR ? 'error' : 'ok',
    statusMessage: span.status.message ?? null,
    attributes: span.attributes,
    events: span.events.map((e) => ({ name: e.name, atMs: Number(hrTimeToNs(e.time) - startNs) / 1e6, ...(e.attributes ? { attributes: e.attributes } : {}) })),
  };
}

/** A trace's row values, computed from some of its spans and what the row held before. */
export interface TraceTotals {
  traceId: string;
  /** The root span's name, when the root is among the spans. */
  name: string | null;
  startedAt: string;
  durationMs: number;
  /** 1 when any of the spans failed. */
  error: number;
  collection: string | null;
  /** Spans counted in. */
  inserted: number;
  input: number;
  output: number;
  cost: number | null;
  /** JSON of the row's attributes. */
  attributes: string;
}

/**
 * The trace row's values from a trace's spans and what the row held before (its attributes): tokens and
 * cost summed, status error when a span failed, the command and exit code from the root span, and the
 * collection when every span that names one names the same one. Shared by the SQLite and PostgreSQL exporters.
 */
export function traceTotals(traceId: string, spans: ReadableSpan[], before: Record<string, unknown>, range: { start: bigint; end: bigint }): TraceTotals {
  const root = spans.find((s) => !s.parentSpanContext);
  const attributes = { ...before };
  const collections = new Set(Array.isArray(before['lore.collections']) ? (before['lore.collections'] as string[]) : []);
  let input = 0;
  let output = 0;
  let cost: number | null = null;
  let error = false;
  for (const span of spans) {
    error ||= span.status.code === STATUS_ERROR;
    input += numberAttr(span.attributes, GEN_AI.usageInputTokens) ?? 0;
    output += numberAttr(span.attributes, GEN_AI.usageOutputTokens) ?? 0;
    const usd = numberAttr(span.attributes, LORE.costUsd);
    if (usd !== undefined) cost = (cost ?? 0) + usd;
    const collection = span.attributes[LORE.collection];
    if (typeof collection === 'string' && collection) collections.add(collection);
  }
  if (root) {
    for (const key of [LORE.command, LORE.exitCode]) if (root.attributes[key] !== undefined) attributes[key] = root.attributes[key];
    attributes['service.name'] = root.resource.attributes['service.name'];
  }
  attributes['lore.collections'] = [...collections].sort();
  return {
    traceId,
    name: root?.name ?? null,
    startedAt: isoOfNs(range.start),
    durationMs: Number(range.end - range.start) / 1e6,
    error: error ? 1 : 0,
    // Only a trace whose every named collection is the same one belongs to it: a key scoped to one
    // collection must not see a trace that also read another.
    collection: collections.size === 1 ? [...collections][0]! : null,
    inserted: spans.length,
    input,
    output,
    cost,
    attributes: JSON.stringify(attributes),
  };
}

/** The root span's start and end when it is among the spans, else the extent of them all. */
export function spanExtent(spans: ReadableSpan[]): { start: bigint; end: bigint } {
  const root = spans.find((s) => !s.parentSpanContext);
  if (root) return { start: hrTimeToNs(root.startTime), end: hrTimeToNs(root.endTime) };
  let start = hrTimeToNs(spans[0]!.startTime);
  let end = hrTimeToNs(spans[0]!.endTime);
  for (const span of spans) {
    const s = hrTimeToNs(span.startTime);
    const e = hrTimeToNs(span.endTime);
    if (s < start) start = s;
    if (e > end) end = e;
  }
  return { start, end };
}

/** The earliest-starting span's name: a trace's name until its root span arrives. */
export function earliestName(spans: ReadableSpan[]): string {
  return spans.reduce((a, b) => (hrTimeToNs(b.startTime) < hrTimeToNs(a.startTime) ? b : a)).name;
}

/** Spans grouped by trace id, in arrival order. */
export function groupByTrace(spans: ReadableSpan[]): Map<string, ReadableSpan[]> {
  const groups = new Map<string, ReadableSpan[]>();
  for (const span of spans) {
    const id = span.spanContext().traceId;
    const list = groups.get(id);
    if (list) list.push(span);
    else groups.set(id, [span]);
  }
  return groups;
}
