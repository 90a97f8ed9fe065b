import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { Principal } from './principal.js';
import type { ServerContext } from './server-context.js';

/** Which error shape a route answers in: OpenAI's (`/v1`) or Lore's. */
export type Surface = 'api' | 'openai' | 'ops';

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** The shape of each event of a streamed response (`data:` of SSE, a line of NDJSON). */
  streamSchema?: z.ZodType;
  /** Default application/json. */
  contentTypes?: string[];
}

export interface RouteContext<B, Q> {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
  query: Q;
  body: B;
  principal: Principal;
  app: ServerContext;
  /** Aborted when the client disconnects, so abandoned work stops. */
  signal: AbortSignal;
  requestId: string;
}

/** A JSON reply; a handler that streams writes to `res` itself and returns nothing. */
export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * One endpoint: its place, who may call it, the schemas that validate its input and document its output
 * (the same objects feed /openapi.json), and its handler.
 */
export interface RouteSpec<B extends z.ZodType | undefined = z.ZodType | undefined, Q extends z.ZodType | undefined = z.ZodType | undefined> {
  method: 'GET' | 'POST' | 'DELETE';
  /** `/api/collections/:name`: `:x` matches one path segment. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  surface: Surface;
  /** `public`: anyone; `key`: the local user on loopback, else a valid API key. */
  access: 'public' | 'key';
  /** Counted against the caller's rate limit (default: routes that need a key). */
  rateLimited?: boolean;
  body?: B;
  /** Multipart uploads: described in the OpenAPI document, parsed by the handler. */
  multipart?: { description: string };
  query?: Q;
  responses: Record<number, ResponseSpec>;
  handle(ctx: RouteContext<B extends z.ZodType ? z.output<B> : undefined, Q extends z.ZodType ? z.output<Q> : Record<string, never>>): Promise<Reply | void>;
}

/** Keeps each route's handler typed by its own schemas while routes travel together in one list. */
export function defineRoute<B extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined>(spec: RouteSpec<B, Q>): RouteSpec {
  return spec as unknown as RouteSpec;
}

export interface RouteMatch {
  route: RouteSpec;
  params: Record<string, string>;
}

/** Finds the route for a method and path; `methods` lists the allowed ones when only the method is wrong. */
export function matchRoute(routes: readonly RouteSpec[], method: string, pathname: string): RouteMatch | { methods: string[] } | undefined {
  const segments = pathname.split('/').filter(Boolean);
  const methods: string[] = [];
  for (const route of routes) {
    const params = matchPath(route.path, segments);
    if (!params) continue;
    if (route.method === method) return { route, params };
    methods.push(route.method);
  }
  return methods.length > 0 ? { methods } : undefined;
}

function matchPath(pattern: string, segments: string[]): Record<string, string> | undefined {
  const parts = pattern.split('/').filter(Boolean);
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const segment = segments[i]!;
    if (part.startsWith(':')) {
      try {
        params[part.slice(1)] = decodeURIComponent(segment);
      } catch {
        return undefined;
      }
    } else if (part !== segment) return undefined;
  }
  return params;
}
