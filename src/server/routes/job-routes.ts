import { chooseStreamFormat, startEventStream } from '../event-stream.js';
import { notFound } from '../http-error.js';
import { isTerminal, type JobView } from '../ingest-jobs.js';
import { canSee, type Principal } from '../principal.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { ApiError, JobList, JobResponse, StreamQuery } from '../schemas/api-schemas.js';
import type { ServerContext } from '../server-context.js';

/** This server's job, else one another server on the same database runs (from the shared job board). */
async function lookUpJob(app: ServerContext, id: string): Promise<{ job: JobView; local: boolean } | undefined> {
  const local = app.jobs.get(id);
  if (local) return { job: local, local: true };
  const shared = await app.jobBoard?.get(id);
  return shared ? { job: shared.view as unknown as JobView, local: false } : undefined;
}

async function findJob(app: ServerContext, principal: Principal, id: string): Promise<{ job: JobView; local: boolean }> {
  const found = await lookUpJob(app, id);
  if (!found || !canSee(principal, found.job.collection)) throw notFound(`No job "${id}"`);
  return found;
}

/** How often a stream of another server's job reads the board again. */
const SHARED_JOB_POLL_MS = 250;

export const jobRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    path: '/api/jobs',
    operationId: 'listJobs',
    summary: 'Recent ingestion jobs (newest first) in the collections this caller may see',
    tag: 'documents',
    surface: 'api',
    access: 'key',
    responses: { 200: { description: 'The jobs', schema: JobList } },
    async handle({ app, principal }) {
      const local = app.jobs.list();
      const ids = new Set(local.map((j) => j.id));
      // Other servers' jobs too, newest first with this server's, this server's view winning.
      const shared = ((await app.jobBoard?.list()) ?? []).filter((j) => !ids.has(j.id)).map((j) => j.view as unknown as JobView);
      const jobs = [...local, ...shared].sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
      return { body: { jobs: jobs.filter((j) => canSee(principal, j.collection)) } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/api/jobs/:id',
    operationId: 'getJob',
    summary: 'An ingestion job: per-file status, progress and errors (poll it, or follow /events)',
    tag: 'documents',
    surface: 'api',
    access: 'key',
    responses: { 200: { description: 'The job', schema: JobResponse }, 404: { description: 'No such job', schema: ApiError } },
    async handle({ app, principal, params }) {
      return { body: { job: (await findJob(app, principal, params['id']!)).job } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/api/jobs/:id/events',
    operationId: 'followJob',
    summary: 'Ingestion progress as a stream: a `job` event with the whole job after every change, ending when it finishes',
    description: 'SSE (`event: job`, `data: {"type":"job","job":{…}}`) by default, NDJSON with Accept: application/x-ndjson or ?format=ndjson.',
    tag: 'documents',
    surface: 'api',
    access: 'key',
    rateLimited: false,
    query: StreamQuery,
    responses: { 200: { description: 'The event stream', contentTypes: ['text/event-stream', 'application/x-ndjson'] }, 404: { description: 'No such job', schema: ApiError } },
    async handle({ app, principal, params, req, res, url, signal }) {
      const { job, local } = await findJob(app, principal, params['id']!);
      const format = chooseStreamFormat(req, url.searchParams);
      if (format === 'json') return { body: { job } };
      const stream = startEventStream(res, format);
      stream.send({ type: 'job', job });
      if (isTerminal(job)) return stream.end();
      if (!local) {
        // Another server runs it: follow its posts on the board until it ends (or the client leaves).
        let last = JSON.stringify(job);
        while (!signal.aborted) {
          await new Promise((r) => setTimeout(r, SHARED_JOB_POLL_MS));
          const next = (await app.jobBoard?.get(job.id))?.view as unknown as JobView | undefined;
          if (!next) break;
          const text = JSON.stringify(next);
          if (text !== last) stream.send({ type: 'job', job: next });
          last = text;
          if (isTerminal(next)) break;
        }
        return stream.end();
      }
      await new Promise<void>((resolve) => {
        const stop = () => {
          unsubscribe();
          resolve();
        };
        const unsubscribe = app.jobs.subscribe(job.id, (next) => {
          stream.send({ type: 'job', job: next });
          if (isTerminal(next)) stop();
        });
        signal.addEventListener('abort', stop, { once: true });
      });
      stream.end();
    },
  }),
];
