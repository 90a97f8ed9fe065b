import { z } from 'zod';
import { isTracing, type TraceScope } from '../../index.js';
import { notFound } from '../http-error.js';
import type { Principal } from '../principal.js';
import { requireCollection } from '../scoped-search.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { ApiError, CollectionName } from '../schemas/api-schemas.js';

// Shapes of the traces endpoints, kept beside them: they describe what `src/trace` stores.
const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const TracesQuery = z.object({
  collection: CollectionName.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  slow: flag.optional().meta({ description: 'Slowest first instead of newest first' }),
  errors: flag.optional().meta({ description: 'Only traces with a failed step' }),
});

const TraceSummary = z.looseObject({
  traceId: z.string(),
  name: z.string(),
  startedAt: z.string(),
  durationMs: z.number(),
  status: z.enum(['ok', 'error']),
  collection: z.string().nullable(),
  spanCount: z.number().int(),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  costUsd: z.number().nullable(),
  attributes: z.record(z.string(), z.unknown()),
});

interface SpanShape {
  spanId: string;
  parentId: string | null;
  name: string;
  kind: string;
  startMs: number;
  durationMs: number;
  status: 'ok' | 'error';
  statusMessage: string | null;
  attributes: Record<string, unknown>;
  events: unknown[];
  children: SpanShape[];
}

const TraceSpan: z.ZodType<SpanShape> = z.lazy(() =>
  z.object({
    spanId: z.string(),
    parentId: z.string().nullable(),
    name: z.string(),
    kind: z.string(),
    startMs: z.number().meta({ description: 'Milliseconds from the start of the trace' }),
    durationMs: z.number(),
    status: z.enum(['ok', 'error']),
    statusMessage: z.string().nullable(),
    attributes: z.record(z.string(), z.unknown()).meta({ description: 'OpenTelemetry attributes: gen_ai.* (model, tokens), lore.* (collection, hits, cost_usd)' }),
    events: z.array(z.unknown()),
    children: z.array(TraceSpan),
  }),
);

const TraceList = z.object({
  traces: z.array(TraceSummary),
  /** Present when this server records no traces. */
  note: z.string().optional(),
});
const TraceDetail = z.object({ trace: TraceSummary, spans: z.array(TraceSpan) });

/** A key sees the traces of its collections only; a trace that touched several (or none) is the local user's. */
function scopeOf(principal: Principal): TraceScope {
  return principal.collections === '*' ? undefined : principal.collections;
}

export const traceRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    path: '/api/traces',
    operationId: 'listTraces',
    summary: 'Recorded traces of searches, answers, chat turns and ingestion, newest (or slowest) first',
    description:
      'Each trace has its totals: duration, status, span count, tokens, cost. A key sees only traces of its own collections (a trace belongs to a collection when every step that named one named it); `collection` narrows to one.',
    tag: 'traces',
    surface: 'api',
    access: 'key',
    query: TracesQuery,
    responses: { 200: { description: 'The traces', schema: TraceList }, 404: { description: 'No such collection (or not visible to this key)', schema: ApiError } },
    async handle({ app, principal, query }) {
      if (query.collection !== undefined) await requireCollection(app, principal, query.collection);
      const traces = await app.traces.listTraces({
        limit: query.limit,
        order: query.slow ? 'slowest' : 'recent',
        errorsOnly: query.errors,
        collection: query.collection,
        scope: scopeOf(principal),
      });
      const note = isTracing() ? undefined : 'This server records no new traces (started with --no-trace or LORE_TRACE=0).';
      return { body: { traces, ...(note ? { note } : {}) } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/api/traces/:id',
    operationId: 'getTrace',
    summary: 'One trace as a tree of spans, each with its timing, GenAI attributes (model, tokens) and cost',
    description: 'The id may be its first characters (at least 4), as lists show them. Out of scope reads as not found.',
    tag: 'traces',
    surface: 'api',
    access: 'key',
    responses: { 200: { description: 'The trace', schema: TraceDetail }, 404: { description: 'No such trace (or not visible to this key)', schema: ApiError } },
    async handle({ app, principal, params }) {
      const id = params['id']!;
      const detail = /^[0-9a-f]{4,32}$/i.test(id) ? await app.traces.getTrace({ traceId: id, scope: scopeOf(principal) }) : undefined;
      if (!detail) throw notFound(`No trace "${id}"`);
      return { body: detail };
    },
  }),
];
