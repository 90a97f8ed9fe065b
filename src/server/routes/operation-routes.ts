import { defineRoute, type RouteSpec } from '../route.js';
import { Health, Readiness } from '../schemas/api-schemas.js';

export const operationRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    path: '/healthz',
    operationId: 'health',
    summary: 'Liveness: the process answers',
    tag: 'operations',
    surface: 'ops',
    access: 'public',
    responses: { 200: { description: 'Alive', schema: Health } },
    async handle() {
      return { body: { status: 'ok' } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/readyz',
    operationId: 'ready',
    summary: 'Readiness: the database answers and the embedder loads (503 until both do)',
    tag: 'operations',
    surface: 'ops',
    access: 'public',
    responses: { 200: { description: 'Ready', schema: Readiness }, 503: { description: 'Not ready (or shutting down)', schema: Readiness } },
    async handle({ app }) {
      const checks: Record<string, { ok: boolean; message?: string }> = {};
      try {
        // One indexed lookup: answers on SQLite and PostgreSQL alike, and fails when the database does not.
        await app.store.getCollection('');
        checks['database'] = { ok: true };
      } catch (error) {
        checks['database'] = { ok: false, message: (error as Error).message };
      }
      try {
        await app.embedders.ready();
        checks['embedder'] = { ok: true, message: app.embedders.defaultEmbedder?.id ?? 'none' };
      } catch (error) {
        checks['embedder'] = { ok: false, message: (error as Error).message };
      }
      checks['accepting'] = { ok: !app.shuttingDown, ...(app.shuttingDown ? { message: 'shutting down' } : {}) };
      const ready = Object.values(checks).every((c) => c.ok);
      return { status: ready ? 200 : 503, body: { status: ready ? 'ready' : 'not_ready', checks } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/metrics',
    operationId: 'metrics',
    summary: 'Prometheus metrics: requests, latency histograms, model tokens, work-queue depth, ingestion jobs, process',
    description: 'Needs an API key when the server requires keys.',
    tag: 'operations',
    surface: 'ops',
    access: 'key',
    rateLimited: false,
    responses: { 200: { description: 'Prometheus text format', contentTypes: ['text/plain'] } },
    async handle({ app, res }) {
      const text = await app.metrics.registry.metrics();
      res.writeHead(200, { 'content-type': app.metrics.registry.contentType });
      res.end(text);
    },
  }),
];
