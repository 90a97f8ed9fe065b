import type pg from 'pg';

/** Anything `pg` can run a query on: the pool, or one client inside a transaction. */
export type PgQueryable = pg.Pool | pg.PoolClient;

/**
 * Runs `work` in one transaction on one connection of the pool: committed when it resolves, rolled back
 * when it throws (and the error passed on).
 */
export async function pgTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** `json` columns arrive parsed from `pg`; a text value (another type parser, a json cast lost) is parsed here. */
export function jsonValue<T>(value: unknown, fallback: T): T {
  if (value === null || value === undefined) return fallback;
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}
