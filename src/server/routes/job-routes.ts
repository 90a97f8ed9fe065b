import { chooseStreamFormat, startEventStream } from '../event-stream.js';
import { notFound } from '../http-error.js';
import { isTerminal, type JobView } from '../ingest-jobs.js';
import { canSee, type Principal } from '../principal.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { ApiError, JobList, JobResponse, StreamQuery } from '../schemas/api-schemas.js';
import type { ServerContext } from '../server-context.js';

function findJob(app: ServerContext, principal: Principal, id: string): JobView {
  const job = app.jobs.get(id);
  if (!job || !canSee(principal, job.collection)) throw notFound(`No job "${id}"`);
  return job;
}

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
      return { body: { jobs: app.jobs.list().filter((j) => canSee(principal, j.collection)) } };
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
      return { body: { job: findJob(app, principal, params['id']!) } };
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
      const job = findJob(app, principal, params['id']!);
      const format = chooseStreamFormat(req, url.searchParams);
      if (format === 'json') return { body: { job } };
      const stream = startEventStream(res, format);
      stream.send({ type: 'job', job });
      if (isTerminal(job)) return stream.end();
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
