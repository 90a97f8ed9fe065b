import { LoreError } from '../spec/errors.js';
import type { Store } from '../spec/store.js';
import { asAsyncStore } from './contract/async-store.js';
import type { OpenPostgresStoreOptions } from './postgres/postgres-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';

export interface OpenStoreOptions {
  /** A SQLite file path (or `:memory:`), or a `postgres://` / `postgresql://` URL. */
  location: string;
  /**
   * SQLite: open the file read-only. Both: refuse (NOT_FOUND) a database Lore has not created yet rather than
   * create it. PostgreSQL writes are not blocked otherwise (grant the role only SELECT for that).
   */
  readonly?: boolean;
  /** Environment for PostgreSQL defaults (`LORE_PG_SCHEMA`, `LORE_PG_POOL_SIZE`, `LORE_PG_EF_SEARCH`); default `process.env`. */
  env?: Record<string, string | undefined>;
}

/** True for a location that names a PostgreSQL database rather than a SQLite file. */
export function isPostgresLocation(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location.trim());
}

/** Lore's own settings in a PostgreSQL URL's query; removed before the URL reaches the driver. */
const LORE_PARAMS = { schema: 'LORE_PG_SCHEMA', pool_size: 'LORE_PG_POOL_SIZE', ef_search: 'LORE_PG_EF_SEARCH' } as const;

/**
 * The PostgresStore options a URL names: `?schema=lore&pool_size=5&ef_search=100` (each also from the
 * environment: LORE_PG_SCHEMA, LORE_PG_POOL_SIZE, LORE_PG_EF_SEARCH; the URL wins). Other query
 * parameters (sslmode, application_name…) stay in the URL for the driver.
 */
export function postgresStoreOptions(options: { url: string; env?: Record<string, string | undefined> }): OpenPostgresStoreOptions {
  const env = options.env ?? process.env;
  let parsed: URL;
  try {
    parsed = new URL(options.url.trim());
  } catch (cause) {
    throw new LoreError({ code: 'INVALID_ARGUMENT', message: 'The PostgreSQL URL cannot be parsed', hint: 'write it as postgres://user:password@host:5432/database', cause });
  }
  const value = (name: keyof typeof LORE_PARAMS): string | undefined => {
    const fromUrl = parsed.searchParams.get(name);
    parsed.searchParams.delete(name);
    return fromUrl || env[LORE_PARAMS[name]] || undefined;
  };
  const count = (name: keyof typeof LORE_PARAMS): number | undefined => {
    const text = value(name);
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) {
      throw new LoreError({ code: 'INVALID_ARGUMENT', message: `${name} must be a whole number above 0, not "${text}"`, hint: `set ?${name}=N in the URL or ${LORE_PARAMS[name]}`, subject: name });
    }
    return n;
  };
  const schema = value('schema');
  const poolSize = count('pool_size');
  const efSearch = count('ef_search');
  return { url: parsed.toString(), ...(schema ? { schema } : {}), ...(poolSize ? { poolSize } : {}), ...(efSearch ? { hnsw: { efSearch } } : {}) };
}

/**
 * Opens the store a location names: PostgreSQL (pgvector) for a `postgres://` or `postgresql://` URL,
 * otherwise the SQLite file at that path. Either way the result is the async `Store` every consumer takes;
 * the PostgreSQL driver is loaded only when one is named.
 */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  if (isPostgresLocation(options.location)) {
    const { openPostgresStore } = await import('./postgres/postgres-store.js');
    return openPostgresStore({ ...postgresStoreOptions({ url: options.location, env: options.env }), mustExist: options.readonly ?? false });
  }
  return asAsyncStore(new SqliteStore({ path: options.location, readonly: options.readonly }));
}
