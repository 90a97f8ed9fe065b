import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { LoreError, type ResolveModelOptions } from '../index.js';
import type { Store } from '../spec/store.js';
import { companionsOf, type StoreCompanions } from '../store/open-companions.js';
import { isPostgresLocation, openStore } from '../store/open-store.js';
import { createEmbedderRegistry } from './embedder-registry.js';
import { createRequestHandler } from './handle-request.js';
import { createIngestJobs } from './ingest-jobs.js';
import { createLogger, type Logger } from './logger.js';
import { createServerMetrics } from './metrics.js';
import { createModelRegistry } from './model-registry.js';
import { createJobPublisher } from './publish-jobs.js';
import { createRateLimiter } from './rate-limiter.js';
import { ALL_ROUTES } from './routes/all-routes.js';
import { isLoopbackHost } from './security-headers.js';
import type { ServerContext } from './server-context.js';
import { DEFAULT_WEB_ROOT } from './static-files.js';
import { createWorkQueue } from './work-queue.js';

export const DEFAULT_PORT = 8340;

export interface LoreServerOptions {
  /** The database file or postgres:// URL (opened read-write, migrated if needed); or pass an open `store`. */
  dbPath?: string;
  store?: Store;
  /**
   * Sessions, API keys and traces (default: those of the store's database, over its connection). Servers
   * on one PostgreSQL database share them, so any of them can take any request.
   */
  companions?: StoreCompanions;
  /** Default 127.0.0.1. Any other address requires API keys. */
  host?: string;
  /** Default 8340; 0 picks a free port. */
  port?: number;
  /** Require API keys even on loopback (always on elsewhere). */
  requireKeys?: boolean;
  /** Language model specs; the first writes lore/<collection> answers. None: extractive answers. */
  models?: string[];
  /** Keys, prices, Ollama's address… for the model specs (the CLI reads them from the environment). */
  modelOptions?: Omit<ResolveModelOptions, 'spec' | 'onCall'>;
  /** Embedder for queries and new collections: `local` (default), a remote spec, or `none`. */
  embedder?: string;
  /** Origins allowed to call the API from a browser (CORS); none by default. */
  corsOrigins?: string[];
  /** JSON request bodies (default 1 MiB). */
  maxBodyBytes?: number;
  /** Each uploaded file (default 50 MiB). */
  maxUploadBytes?: number;
  /** Files per upload request (default 20). */
  maxUploadFiles?: number;
  /** Requests per minute per API key (or per address without keys); 0 turns the limit off. Default 600. */
  rateLimitPerMinute?: number;
  /** Expensive requests (search, answers, embeddings, model calls) running at once (default 4). */
  concurrency?: number;
  /** Expensive requests allowed to wait for a slot before the next gets a 503 (default 64). */
  queue?: number;
  /** Upload jobs allowed to wait for ingestion (default 16). */
  maxPendingJobs?: number;
  /** Where uploaded files are kept (default: `uploads/` beside the database file; `.lore/uploads` for PostgreSQL). */
  uploadDir?: string;
  /** The built web UI (default: the package's web/dist). */
  webRoot?: string;
  logger?: Logger;
  /** Process-wide metrics (RSS, event loop, GC) in /metrics (default true). */
  processMetrics?: boolean;
  /** How long a shutdown waits for requests in flight before cutting them (default 30 s). */
  shutdownTimeoutMs?: number;
}

export interface LoreServer {
  url: string;
  host: string;
  port: number;
  server: Server;
  context: ServerContext;
  /**
   * Graceful shutdown: stop accepting connections, let requests in flight finish (up to the timeout),
   * stop ingestion (documents are written whole or not at all), then release the models and the database.
   */
  close(): Promise<void>;
}

/** Starts `lore serve`'s HTTP server and resolves once it listens. */
export async function startLoreServer(options: LoreServerOptions = {}): Promise<LoreServer> {
  const host = options.host ?? '127.0.0.1';
  const requireKeys = options.requireKeys ?? !isLoopbackHost(host);
  if (!requireKeys && !isLoopbackHost(host)) {
    throw new LoreError({ code: 'INVALID_ARGUMENT', message: `Binding to ${host} requires API keys`, hint: 'create one with `lore keys create --collections NAME`' });
  }
  if (!options.store && !options.dbPath) throw new LoreError({ code: 'INVALID_ARGUMENT', message: 'startLoreServer needs a dbPath or a store' });
  const store = options.store ?? (await openStore({ location: isPostgresLocation(options.dbPath!) ? options.dbPath! : resolve(options.dbPath!) }));
  const ownsStore = !options.store;
  const logger = options.logger ?? createLogger();
  const metrics = createServerMetrics({ processMetrics: options.processMetrics });
  try {
    const companions = options.companions ?? companionsOf(store);
    const keys = companions.keys;
    if (requireKeys && !(await keys.listKeys()).some((k) => k.revokedAt === null)) {
      throw new LoreError({
        code: 'INVALID_ARGUMENT',
        message: `Serving on ${host} needs API keys, and ${store.path} has none`,
        hint: 'create one with `lore keys create --collections NAME`',
      });
    }
    const models = createModelRegistry({
      specs: options.models ?? [],
      resolve: {
        ...options.modelOptions,
        concurrency: options.modelOptions?.concurrency ?? options.concurrency ?? 4,
        onCall: (call) => {
          metrics.tokens.inc({ model: call.modelId, kind: 'input' }, call.usage.inputTokens);
          metrics.tokens.inc({ model: call.modelId, kind: 'output' }, call.usage.outputTokens);
        },
      },
    });
    const embedders = createEmbedderRegistry({ spec: options.embedder ?? 'local', store, resolve: { apiKeys: options.modelOptions?.apiKeys, ollamaUrl: options.modelOptions?.ollamaUrl } });
    const sessionChains = new Map<string, Promise<unknown>>();
    const jobBoard = companions.jobs;
    const publisher = jobBoard
      ? createJobPublisher({ board: jobBoard, onError: (error) => logger.log('warn', 'could not post a job to the shared job board', { error: String(error) }) })
      : undefined;
    const context: ServerContext = {
      settings: {
        requireKeys,
        corsOrigins: options.corsOrigins ?? [],
        maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
        maxUploadBytes: options.maxUploadBytes ?? 50 * 1024 * 1024,
        maxUploadFiles: options.maxUploadFiles ?? 20,
        uploadDir: resolve(options.uploadDir ?? join(dirname(store.path === ':memory:' || isPostgresLocation(store.path) ? '.lore/x' : store.path), 'uploads')),
        webRoot: resolve(options.webRoot ?? DEFAULT_WEB_ROOT),
      },
      store,
      sessions: companions.sessions,
      keys,
      traces: companions.traces,
      models,
      embedders,
      queue: createWorkQueue({
        concurrency: options.concurrency ?? 4,
        maxWaiting: options.queue ?? 64,
        onChange: ({ active, waiting }) => {
          metrics.queueActive.set(active);
          metrics.queueWaiting.set(waiting);
        },
        onReject: () => metrics.queueRejected.inc(),
      }),
      jobs: createIngestJobs({
        store,
        embedderFor: (collection) => embedders.forCollection(collection),
        maxPending: options.maxPendingJobs ?? 16,
        onChange: (counts) => {
          for (const [state, n] of Object.entries(counts)) metrics.ingestJobs.set({ state }, n);
        },
        onJob: publisher ? (job) => publisher.changed(job) : undefined,
        onError: (job, error) => logger.log('error', 'ingestion failed', { job: job.id, collection: job.collection, error: String((error as Error)?.stack ?? error) }),
      }),
      ...(jobBoard && publisher ? { jobBoard, jobShared: (id: string) => publisher.settled(id) } : {}),
      metrics,
      logger,
      inSession(sessionId, task) {
        const previous = sessionChains.get(sessionId) ?? Promise.resolve();
        const next = previous.catch(() => undefined).then(task);
        const settled = next.catch(() => undefined);
        sessionChains.set(sessionId, settled);
        void settled.then(() => {
          if (sessionChains.get(sessionId) === settled) sessionChains.delete(sessionId);
        });
        return next;
      },
      shuttingDown: false,
    };

    const server = createServer({ keepAliveTimeout: 5_000, requestTimeout: 300_000, headersTimeout: 30_000 }, createRequestHandler({ app: context, routes: ALL_ROUTES, rateLimiter: createRateLimiter({ perMinute: options.rateLimitPerMinute ?? 600 }) }));
    const inFlight = new Set<ServerResponse>();
    server.on('request', (_req, res) => {
      inFlight.add(res);
      res.on('close', () => inFlight.delete(res));
    });
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? DEFAULT_PORT, host, () => {
        server.off('error', reject);
        resolveListen();
      });
    });
    const address = server.address() as AddressInfo;
    const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = `http://${urlHost}:${address.port}`;

    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= (async () => {
        context.shuttingDown = true;
        const stopped = new Promise<void>((done) => server.close(() => done()));
        server.closeIdleConnections();
        // Streams of ingestion progress end when their job is cancelled.
        await context.jobs.close();
        await publisher?.flush();
        const deadline = Date.now() + (options.shutdownTimeoutMs ?? 30_000);
        while (inFlight.size > 0 && Date.now() < deadline) {
          server.closeIdleConnections();
          await new Promise((r) => setTimeout(r, 25));
        }
        server.closeAllConnections();
        await stopped;
        await embedders.close();
        if (ownsStore) await store.close();
        logger.log('info', 'stopped', { url });
      })());
    logger.log('info', 'listening', { url, requireKeys, models: models.models.map((m) => m.name), embedder: embedders.defaultEmbedder?.id ?? 'none' });
    return { url, host, port: address.port, server, context, close };
  } catch (error) {
    if (ownsStore) await store.close();
    throw error;
  }
}
