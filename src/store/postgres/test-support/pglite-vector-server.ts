import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface PgliteVectorServer {
  /** postgres://… on a loopback port, for `pg`. */
  url: string;
  pglite: PGlite;
  close(): Promise<void>;
}

/**
 * PostgreSQL with pgvector for tests, without a server to install: PGlite (Postgres in WASM) with its
 * `vector` extension, behind PGlite's socket server, so the store connects with `pg` over the real wire
 * protocol. PGlite is one session: connect with a pool of one connection (`poolSize: 1`), or transactions
 * of different connections would interleave.
 */
export async function startPgliteVectorServer(): Promise<PgliteVectorServer> {
  const pglite = await createPglite();
  const server = new PGLiteSocketServer({ db: pglite, host: '127.0.0.1', port: 0, maxConnections: 100 });
  await server.start();
  const address = (server as unknown as { server: { address(): AddressInfo } }).server.address();
  return {
    url: `postgres://postgres@127.0.0.1:${address.port}/postgres`,
    pglite,
    async close() {
      await server.stop();
      await pglite.close();
    },
  };
}

const CACHE_DIR = fileURLToPath(new URL('../../../../node_modules/.cache/lore-store-tests/', import.meta.url));

/**
 * initdb in WASM takes several seconds on two busy cores; the first run saves the fresh data directory
 * (with `CREATE EXTENSION vector` done) under node_modules/.cache, keyed by the PGlite version, and later
 * runs load it (as src/sql/test-support/pglite-server.ts does for the wind-farm database).
 */
async function createPglite(): Promise<PGlite> {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const version = JSON.parse(readFileSync(join(entry, '..', '..', 'package.json'), 'utf8')).version as string;
  const key = createHash('sha256').update(`${version}\nvector`).digest('hex').slice(0, 16);
  const file = join(CACHE_DIR, `pgvector-${key}.tar.gz`);
  if (existsSync(file)) {
    try {
      return await PGlite.create({ loadDataDir: new Blob([readFileSync(file)]), extensions: { vector } });
    } catch {
      // A damaged cache file: build afresh below and overwrite it.
    }
  }
  const pglite = await PGlite.create({ extensions: { vector } });
  await pglite.exec('CREATE EXTENSION IF NOT EXISTS vector');
  try {
    const dump = await pglite.dumpDataDir('gzip');
    mkdirSync(CACHE_DIR, { recursive: true });
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    renameSync(partial, file);
  } catch {
    // No cache, no harm.
  }
  return pglite;
}
