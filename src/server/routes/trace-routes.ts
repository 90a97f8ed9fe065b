import { requireCollection } from '../scoped-search.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { ApiError, TraceList, TracesQuery } from '../schemas/api-schemas.js';

export const TRACES_NOTE = 'Tracing is not recorded yet: it arrives with the tracing work (issue 7). This endpoint and its collection scoping are in place.';

export const traceRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    path: '/api/traces',
    operationId: 'listTraces',
    summary: 'Recorded traces of searches and answers (empty until tracing is implemented)',
    description: 'A key sees only traces of its own collections; `collection` narrows to one.',
    tag: 'traces',
    surface: 'api',
    access: 'key',
    query: TracesQuery,
    responses: { 200: { description: 'The traces', schema: TraceList }, 404: { description: 'No such collection (or not visible to this key)', schema: ApiError } },
    async handle({ app, principal, query }) {
      if (query.collection !== undefined) requireCollection(app, principal, query.collection);
      return { body: { traces: [], note: TRACES_NOTE } };
    },
  }),
];
