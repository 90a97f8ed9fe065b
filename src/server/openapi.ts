import { z } from 'zod';
import type { RouteSpec } from './route.js';
import { ApiError } from './schemas/api-schemas.js';
import { OpenAIError } from './schemas/openai-schemas.js';

type JsonSchema = Record<string, unknown>;

/** A zod schema as a JSON Schema (2020-12, which OpenAPI 3.1 uses), without the `$schema` line. */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/** `/api/documents/:id` → `/api/documents/{id}` */
export function openapiPath(path: string): string {
  return path.replace(/:([A-Za-z_]\w*)/g, '{$1}');
}

/**
 * The OpenAPI 3.1 document, generated from the route table: the same zod schemas validate each request
 * (input side) and describe each response (output side).
 */
export function buildOpenApiDocument(options: { routes: readonly RouteSpec[]; version: string; requireKeys: boolean }): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of options.routes) {
    const path = openapiPath(route.path);
    const parameters: unknown[] = [];
    for (const [, name] of route.path.matchAll(/:([A-Za-z_]\w*)/g)) parameters.push({ name, in: 'path', required: true, schema: { type: 'string' } });
    if (route.query) {
      const query = jsonSchemaOf(route.query, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
      for (const [name, schema] of Object.entries(query.properties ?? {})) {
        const { description, ...rest } = schema as { description?: string };
        parameters.push({ name, in: 'query', required: query.required?.includes(name) ?? false, schema: rest, ...(description ? { description } : {}) });
      }
    }
    const responses: Record<string, unknown> = {};
    for (const [status, spec] of Object.entries(route.responses)) {
      const content: Record<string, unknown> = {};
      for (const type of spec.contentTypes ?? ['application/json']) {
        if (type === 'application/json') content[type] = spec.schema ? { schema: jsonSchemaOf(spec.schema, 'output') } : {};
        else {
          content[type] = {
            schema: { type: 'string', description: 'A stream of events; see the operation description' },
            ...(spec.streamSchema ? { 'x-event-schema': jsonSchemaOf(spec.streamSchema, 'output') } : {}),
          };
        }
      }
      responses[status] = { description: spec.description, ...(spec.schema || spec.contentTypes ? { content } : {}) };
    }
    if (route.access === 'key') {
      const error = route.surface === 'openai' ? OpenAIError : ApiError;
      responses['401'] ??= { description: 'Missing or invalid API key', content: { 'application/json': { schema: jsonSchemaOf(error, 'output') } } };
      if (route.rateLimited ?? true) {
        responses['429'] ??= {
          description: 'Rate limited; Retry-After says when to try again',
          headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds' } },
          content: { 'application/json': { schema: jsonSchemaOf(error, 'output') } },
        };
      }
    }
    if (route.body) responses['400'] ??= { description: 'Invalid request', content: { 'application/json': { schema: jsonSchemaOf(route.surface === 'openai' ? OpenAIError : ApiError, 'output') } } };
    if (route.body || route.multipart) responses['413'] ??= { description: 'Request body over the limit', content: { 'application/json': { schema: jsonSchemaOf(route.surface === 'openai' ? OpenAIError : ApiError, 'output') } } };
    const operation: Record<string, unknown> = {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      tags: [route.tag],
      ...(parameters.length ? { parameters } : {}),
      ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchemaOf(route.body, 'input') } } } } : {}),
      ...(route.multipart
        ? {
            requestBody: {
              required: true,
              content: {
                'multipart/form-data': {
                  schema: { type: 'object', properties: { files: { type: 'array', items: { type: 'string', contentMediaType: 'application/octet-stream' } } } },
                },
              },
              description: route.multipart.description,
            },
          }
        : {}),
      responses,
      security: route.access === 'public' ? [] : options.requireKeys ? [{ bearer: [] }] : [{}, { bearer: [] }],
    };
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Lore',
      version: options.version,
      description:
        'Search and answer over your documents. `/api` is the REST API, `/v1` is compatible with OpenAI clients. Send an API key as `Authorization: Bearer lore_…` (or `X-API-Key`); on a loopback address without keys, requests need none.',
    },
    servers: [{ url: '/' }],
    tags: [
      { name: 'collections' },
      { name: 'documents', description: 'Uploads, ingestion jobs and their progress, document lists' },
      { name: 'search' },
      { name: 'answers' },
      { name: 'sessions', description: 'Conversations with memory' },
      { name: 'traces' },
      { name: 'openai', description: 'OpenAI-compatible endpoints' },
      { name: 'operations' },
    ],
    paths,
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A key from `lore keys create`' } } },
  };
}
