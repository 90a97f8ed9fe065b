import { defineRoute, type RouteSpec } from '../route.js';
import { ApiError, SearchBody, SearchResponse } from '../schemas/api-schemas.js';
import { scopedSearch } from '../scoped-search.js';

export const searchRoutes: RouteSpec[] = [
  defineRoute({
    method: 'POST',
    path: '/api/search',
    operationId: 'search',
    summary: 'Keyword, vector or hybrid search; several modes at once for a side-by-side comparison',
    description:
      'Without `collection`, searches every collection the caller may see (a key limited to some collections searches each and merges by score). `results` has one entry per mode asked for, in order.',
    tag: 'search',
    surface: 'api',
    access: 'key',
    body: SearchBody,
    responses: {
      200: { description: 'Hits per mode', schema: SearchResponse },
      400: { description: 'Invalid request (e.g. vector mode without an embedder)', schema: ApiError },
      404: { description: 'No such collection (or not visible to this key)', schema: ApiError },
      503: { description: 'Work queue full', schema: ApiError },
    },
    async handle({ app, principal, body, signal }) {
      const modes = body.modes ?? [body.mode ?? 'hybrid'];
      const results = await app.queue.run(async () => {
        const out = [];
        for (const mode of modes) {
          out.push(
            await scopedSearch({ app, principal, query: body.query, collection: body.collection, mode, k: body.k, filter: body.filter, expand: body.expand, steps: body.steps, model: app.models.answerModel?.model, signal }),
          );
        }
        return out;
      }, { signal });
      return { body: { query: body.query, results } };
    },
  }),
];
