import { buildOpenApiDocument } from '../openapi.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { askRoutes } from './ask-routes.js';
import { collectionRoutes } from './collection-routes.js';
import { documentRoutes } from './document-routes.js';
import { jobRoutes } from './job-routes.js';
import { openaiChatRoutes } from './openai-chat-routes.js';
import { openaiModelRoutes } from './openai-model-routes.js';
import { operationRoutes } from './operation-routes.js';
import { searchRoutes } from './search-routes.js';
import { sessionRoutes } from './session-routes.js';
import { traceRoutes } from './trace-routes.js';

export const LORE_API_VERSION = '0.1.0';

const apiRoutes: RouteSpec[] = [
  ...collectionRoutes,
  ...documentRoutes,
  ...jobRoutes,
  ...searchRoutes,
  ...askRoutes,
  ...sessionRoutes,
  ...traceRoutes,
  ...openaiChatRoutes,
  ...openaiModelRoutes,
  ...operationRoutes,
];

const openapiRoute = defineRoute({
  method: 'GET',
  path: '/openapi.json',
  operationId: 'openapi',
  summary: 'This document',
  tag: 'operations',
  surface: 'ops',
  access: 'public',
  responses: { 200: { description: 'The OpenAPI 3.1 document' } },
  async handle({ app }) {
    return { body: buildOpenApiDocument({ routes: ALL_ROUTES, version: LORE_API_VERSION, requireKeys: app.settings.requireKeys }) };
  },
});

/** Every endpoint of `lore serve`, in one table: the router and /openapi.json both read it. */
export const ALL_ROUTES: readonly RouteSpec[] = [...apiRoutes, openapiRoute];
