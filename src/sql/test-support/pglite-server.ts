import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { WIND_FARM_TABLES, windFarmScript } from './wind-farm.js';

export interface WindFarmPostgres {
  /** postgres://… on a loopback port, for `pg` or the CLI in another process. */
  url: string;
  pglite: PGlite;
  /**
   * A hash of everything a write could change: every table's rows, the tables, columns, functions,
   * sequences, schemas, roles, extensions and large objects in the catalog, and session-level settings.
   */
  checksum(): Promise<string>;
  close(): Promise<void>;
}

/**
 * PostgreSQL for tests, without a server to install: PGlite (Postgres compiled to WASM) with the wind-farm
 * database, behind PGlite's socket server so that Lore connects with `pg` over the real wire protocol.
 */
export async function startWindFarmPostgres(): Promise<WindFarmPostgres> {
  const pglite = await createWindFarmPglite();
  const server = new PGLiteSocketServer({ db: pglite, host: '127.0.0.1', port: 0 });
  await server.start();
  const address = (server as unknown as { server: { address(): AddressInfo } }).server.address();
  return {
    url: `postgres://postgres@127.0.0.1:${address.port}/postgres`,
    pglite,
    async checksum() {
      const hash = createHash('sha256');
      for (const table of WIND_FARM_TABLES) {
        const r = await pglite.query<{ n: number; digest: string | null }>(`SELECT count(*)::int AS n, md5(string_agg(t::text, '|' ORDER BY t::text)) AS digest FROM ${table.name} t`);
        hash.update(`${table.name}:${r.rows[0]!.n}:${r.rows[0]!.digest}\n`);
      }
      const catalog = await pglite.query(`SELECT
          (SELECT string_agg(table_schema || '.' || table_name || '.' || column_name || ':' || data_type, ',' ORDER BY table_schema, table_name, ordinal_position) FROM information_schema.columns WHERE table_schema NOT IN ('pg_catalog', 'information_schema')) AS columns,
          (SELECT count(*) FROM pg_class) AS relations,
          (SELECT count(*) FROM pg_proc) AS functions,
          (SELECT count(*) FROM pg_namespace) AS schemas,
          (SELECT count(*) FROM pg_roles) AS roles,
          (SELECT count(*) FROM pg_extension) AS extensions,
          (SELECT count(*) FROM pg_largeobject_metadata) AS large_objects,
          (SELECT count(*) FROM pg_description) AS comments,
          (SELECT last_value FROM order_numbers) AS order_numbers,
          current_setting('default_transaction_read_only') AS read_only,
          current_setting('search_path') AS search_path`);
      hash.update(JSON.stringify(catalog.rows));
      return hash.digest('hex');
    },
    async close() {
      await server.stop();
      await pglite.close();
    },
  };
}

const CACHE_DIR = fileURLToPath(new URL('../../../node_modules/.cache/lore-sql-tests/', import.meta.url));

/**
 * A new PGlite holding the wind-farm database. Creating one runs initdb in WASM (7–15 s on two busy
 * cores); loading a saved data directory takes 2–3 s, so the first run saves one under node_modules/.cache,
 * keyed by the PGlite version and the script, and later runs start from it.
 */
async function createWindFarmPglite(): Promise<PGlite> {
  const script = windFarmScript('postgres');
  // The package's exports hide package.json; its version is read from the file beside the entry point.
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const version = readFileSync(join(entry, '..', '..', 'package.json'), 'utf8');
  const key = createHash('sha256').update(`${JSON.parse(version).version as string}\n${script}`).digest('hex').slice(0, 16);
  const file = join(CACHE_DIR, `wind-farm-${key}.tar.gz`);
  if (existsSync(file)) {
    try {
      return await PGlite.create({ loadDataDir: new Blob([readFileSync(file)]) });
    } catch {
      // A damaged cache file: build afresh below and overwrite it.
    }
  }
  const pglite = await PGlite.create();
  await pglite.exec(script);
  try {
    const dump = await pglite.dumpDataDir('gzip');
    mkdirSync(CACHE_DIR, { recursive: true });
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    renameSync(partial, file);
  } catch {
    // No cache, no harm: the next run builds it again.
  }
  return pglite;
}
