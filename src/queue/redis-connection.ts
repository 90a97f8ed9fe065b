import { Redis } from 'ioredis';
import { LoreError } from '../spec/errors.js';

/** The BullMQ queue Lore's ingestion jobs live in. Separate deployments use separate Redis databases (`/1`, `/2`). */
export const INGEST_QUEUE_NAME = 'lore-ingest';

/** Connection settings from a Redis URL: what ioredis and BullMQ's connection option both accept. */
export interface RedisUrlOptions {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db?: number;
  tls?: { servername: string };
}

/**
 * `redis://[user:password@]host[:port][/db]` or `rediss://…` (TLS) as ioredis options. Anything else is refused
 * here, with the form it expects, rather than by a connection attempt that retries forever.
 */
export function parseRedisUrl(url: string): RedisUrlOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw badUrl(url);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw badUrl(url);
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) throw badUrl(url);
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 6379,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(db ? { db: Number(db) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: { servername: parsed.hostname } } : {}),
  };
}

/** The URL as it may be printed: the password replaced by `***`. */
export function displayRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

/**
 * A client for short commands (enqueue, status) that fails at once when Redis cannot be reached, instead of
 * ioredis' default of reconnecting forever while the command waits.
 */
export async function connectRedis(url: string): Promise<Redis> {
  const client = new Redis({
    ...parseRedisUrl(url),
    lazyConnect: true,
    connectTimeout: 5000,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  // Errors surface through connect() and the commands; without a listener ioredis would also print them.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (cause) {
    client.disconnect();
    throw unreachable(url, cause);
  }
  return client;
}

export function unreachable(url: string, cause: unknown): LoreError {
  return new LoreError({
    code: 'DATABASE_ERROR',
    message: `Cannot reach the queue at ${displayRedisUrl(url)} (${(cause as Error)?.message ?? String(cause)})`,
    hint: 'start redis-server there, or check the host, port and password in --queue',
    subject: displayRedisUrl(url),
    cause,
  });
}

/** A Redis failure in the middle of a command (connection lost, out of memory) as an error that says what to do. */
export function queueError(url: string, cause: unknown): LoreError {
  return new LoreError({
    code: 'DATABASE_ERROR',
    message: `The queue at ${displayRedisUrl(url)} failed: ${(cause as Error)?.message ?? String(cause)}`,
    hint: 'check that redis-server is running and has memory left (maxmemory), then run the same command again',
    subject: displayRedisUrl(url),
    cause,
  });
}

function badUrl(url: string): LoreError {
  return new LoreError({
    code: 'INVALID_ARGUMENT',
    message: `--queue must be a Redis URL such as redis://host:6379/0 or rediss://user:password@host:6380 (got ${displayRedisUrl(url)})`,
  });
}
