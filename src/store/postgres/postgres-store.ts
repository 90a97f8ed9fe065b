import pg from 'pg';
import type { Metadata } from '../../spec/document.js';
import { LoreError } from '../../spec/errors.js';
import { DEFAULT_BM25 } from '../../spec/store.js';
import type {
  Bm25Params,
  ChunkRecord,
  CollectionInfo,
  DocumentInput,
  DocumentRecord,
  KeywordQuery,
  PendingChunk,
  SearchFilter,
  SearchHit,
  Store,
  StoreStats,
  VectorEntry,
  VectorQuery,
} from '../../spec/store.js';
import { redactPostgresUrl } from '../../sql/postgres-database.js';
import { globMatch } from '../sqlite/glob-function.js';
import { documentUid, indexTerms } from '../sqlite/sqlite-store.js';
import { POSTGRES_MIGRATIONS, POSTGRES_SCHEMA_VERSION, POSTGRES_TABLES } from './postgres-migrations.js';

const APP_ID = 'lore';

/** HNSW build and search parameters (pgvector's defaults: m 16, ef_construction 64, ef_search 40). */
export interface HnswOptions {
  m?: number;
  efConstruction?: number;
  /** Candidates kept while searching; raised to k when k is larger. */
  efSearch?: number;
}

export interface OpenPostgresStoreOptions {
  /** postgres://user:password@host:port/database */
  url: string;
  /** The schema that holds Lore's tables (default `public`); created when missing. */
  schema?: string;
  /** Connections in the pool (default 10). */
  poolSize?: number;
  hnsw?: HnswOptions;
  /** Create an HNSW index per collection, embedder and dimension once vectors exist (default true). */
  vectorIndexes?: boolean;
  connectTimeoutMs?: number;
  /** Refuse (NOT_FOUND) a schema without Lore's tables rather than create them: what read-only commands want. */
  mustExist?: boolean;
}

type Queryable = pg.Pool | pg.PoolClient;

/** Integers as numbers: Lore's ids and counts fit comfortably in a double. */
const PARSERS: Record<number, (value: string) => unknown> = { 20: Number, 1700: Number };
const TYPES = { getTypeParser: ((oid: number, format?: string) => PARSERS[oid] ?? pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser };

interface CollectionRow {
  id: number;
  name: string;
  settings: Record<string, unknown>;
  created_at: string;
  chunk_count: number;
  term_total: number;
}

const COLLECTION_COLUMNS = 'id, name, settings, created_at, chunk_count, term_total';

interface DocumentRow {
  id: number;
  uid: string;
  collection: string;
  source: string;
  mime_type: string;
  type: string;
  title: string | null;
  content_hash: string;
  bytes: number;
  metadata: Metadata;
  version: number;
  updated_at: string;
  chunk_count: number;
}

const DOCUMENT_SELECT = `
  SELECT d.id, d.uid, c.name AS collection, d.source, d.mime_type, d.type, d.title, d.content_hash, d.bytes,
         d.metadata, d.version, d.updated_at,
         (SELECT count(*) FROM chunks k WHERE k.document_id = d.id)::int AS chunk_count
  FROM documents d JOIN collections c ON c.id = d.collection_id`;

function toDocument(row: DocumentRow): DocumentRecord {
  return {
    id: row.id,
    uid: row.uid,
    collection: row.collection,
    source: row.source,
    mimeType: row.mime_type,
    type: row.type,
    title: row.title,
    contentHash: row.content_hash,
    bytes: row.bytes,
    chunkCount: row.chunk_count,
    metadata: row.metadata,
    version: row.version,
    updatedAt: row.updated_at,
  };
}

/**
 * The terms of a chunk's keyword text as SQLite's FTS5 `ascii` tokenizer indexes them (split at ASCII
 * separators, ASCII lower-cased), with their frequencies: both stores then score the very same postings.
 */
export function termFrequencies(keywordText: string): Map<string, number> {
  const tf = new Map<string, number>();
  for (const piece of keywordText.split(/[\x00-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]+/)) {
    if (!piece) continue;
    const term = piece.replace(/[A-Z]+/g, (m) => m.toLowerCase());
    tf.set(term, (tf.get(term) ?? 0) + 1);
  }
  return tf;
}

/** pgvector's text form; `String` of a float32 widened to a double reads back as the same float32. */
export function vectorLiteral(vector: Float32Array): string {
  return `[${Array.from(vector, (v) => String(v)).join(',')}]`;
}

function parseVector(text: string | null): Float32Array | null {
  return text === null ? null : Float32Array.from(JSON.parse(text) as number[]);
}

/**
 * The Store contract over PostgreSQL with pgvector, through a `pg` pool. Every method returns a promise
 * (the `Store` contract); semantics, ids, scores and errors follow SqliteStore, and the shared contract suite
 * (src/store/contract) runs against both. Keyword search scores BM25 in Lore from the postings of the terms
 * Lore's analyser produced, with the same k1, b and IDF as SQLite, so the two stores rank alike.
 */
export class PostgresStore implements Store {
  /** The connection URL without its password. */
  readonly path: string;
  readonly pool: pg.Pool;
  readonly schema: string;
  private readonly hnsw: Required<HnswOptions>;
  private readonly vectorIndexes: boolean;
  private readonly mustExist: boolean;
  /** pgvector ≥ 0.8 walks the HNSW graph further until k rows pass a filter (`hnsw.iterative_scan`). */
  private iterativeScan = false;

  private constructor(options: OpenPostgresStoreOptions, pool: pg.Pool) {
    this.path = redactPostgresUrl(options.url);
    this.pool = pool;
    this.schema = options.schema ?? 'public';
    this.hnsw = { m: options.hnsw?.m ?? 16, efConstruction: options.hnsw?.efConstruction ?? 64, efSearch: options.hnsw?.efSearch ?? 40 };
    this.vectorIndexes = options.vectorIndexes ?? true;
    this.mustExist = options.mustExist ?? false;
  }

  /** Connects, creates the pgvector extension and the schema when missing, and migrates it forward. */
  static async open(options: OpenPostgresStoreOptions): Promise<PostgresStore> {
    const schema = options.schema ?? 'public';
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
      throw new LoreError({ code: 'INVALID_ARGUMENT', message: `"${schema}" is not a usable schema name`, hint: 'use lower-case letters, digits and "_"', subject: schema });
    }
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
      application_name: 'lore',
      types: TYPES,
    });
    // An idle connection the server drops must not crash the process; the pool opens a new one.
    pool.on('error', () => {});
    const store = new PostgresStore(options, pool);
    try {
      await store.migrate(options.url);
    } catch (error) {
      await pool.end().catch(() => {});
      throw error;
    }
    return store;
  }

  private async migrate(url: string): Promise<void> {
    const target = redactPostgresUrl(url);
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (cause) {
      throw new LoreError({ code: 'DATABASE_ERROR', message: `Cannot connect to ${target}`, hint: 'check the URL, that the server is up, and the credentials (PGPASSWORD)', subject: target, cause });
    }
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`lore:${this.schema}`]);
      const ext = await client.query<{ schema: string }>("SELECT n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'vector'");
      let extensionSchema = ext.rows[0]?.schema;
      if (!extensionSchema) {
        try {
          await client.query('SAVEPOINT ext');
          await client.query('CREATE EXTENSION IF NOT EXISTS vector');
          await client.query('RELEASE SAVEPOINT ext');
        } catch (cause) {
          throw new LoreError({
            code: 'DATABASE_ERROR',
            message: `${target} has no pgvector extension, and this role cannot create it`,
            hint: 'run `CREATE EXTENSION vector;` once as the database owner (managed services list it as "vector" or "pgvector")',
            subject: target,
            cause,
          });
        }
        extensionSchema = (await client.query<{ schema: string }>("SELECT n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'vector'")).rows[0]!.schema;
      }
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
      const searchPath = `SET search_path TO ${this.schema}, ${pg.escapeIdentifier(extensionSchema)}`;
      // Every connection of the pool resolves Lore's tables and pgvector's type in the same schemas.
      this.pool.on('connect', (c) => {
        c.query(searchPath).catch(() => {});
      });
      // Session-wide on this connection too (a SET inside a committed transaction outlives it).
      await client.query(searchPath);
      const tables = new Set(
        (await client.query<{ name: string }>('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1', [this.schema])).rows.map((r) => r.name),
      );
      if (this.mustExist && !tables.has('lore_meta')) {
        // Rolled back below: nothing (extension, schema) is left behind by a search on an empty database.
        throw new LoreError({
          code: 'NOT_FOUND',
          message: `No Lore database at ${target}${this.schema === 'public' ? '' : ` (schema ${this.schema})`}`,
          hint: 'run `lore ingest <folder>` first, or point --db / LORE_DB at an existing database',
          subject: target,
        });
      }
      let version = 0;
      if (tables.has('lore_meta')) {
        const meta = new Map((await client.query<{ key: string; value: string }>('SELECT key, value FROM lore_meta')).rows.map((r) => [r.key, r.value]));
        if (meta.get('app') !== APP_ID) throw notLore(target, this.schema);
        version = Number(meta.get('schema_version') ?? 0);
      } else if (POSTGRES_TABLES.some((t) => tables.has(t))) {
        throw notLore(target, this.schema);
      }
      if (version > POSTGRES_SCHEMA_VERSION) {
        throw new LoreError({
          code: 'DATABASE_TOO_NEW',
          message: `${target} (schema ${this.schema}) was written by a newer Lore (schema ${version}; this Lore knows up to ${POSTGRES_SCHEMA_VERSION})`,
          hint: 'upgrade Lore (npm install lore@latest) to open it',
          subject: target,
        });
      }
      if (version < POSTGRES_SCHEMA_VERSION) {
        await client.query('CREATE TABLE IF NOT EXISTS lore_meta (key text PRIMARY KEY, value text NOT NULL)');
        await client.query("INSERT INTO lore_meta (key, value) VALUES ('app', $1) ON CONFLICT (key) DO NOTHING", [APP_ID]);
        for (let v = version; v < POSTGRES_SCHEMA_VERSION; v++) await client.query(POSTGRES_MIGRATIONS[v]!);
        await client.query(
          "INSERT INTO lore_meta (key, value) VALUES ('schema_version', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
          [String(POSTGRES_SCHEMA_VERSION)],
        );
      }
      const pgvector = (await client.query<{ version: string }>("SELECT extversion AS version FROM pg_extension WHERE extname = 'vector'")).rows[0]!.version;
      const [major = 0, minor = 0] = pgvector.split('.').map(Number);
      this.iterativeScan = major > 0 || minor >= 8;
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
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

  async ensureCollection(name: string, settings: Record<string, unknown> = {}): Promise<CollectionInfo> {
    validateCollectionName(name);
    await this.pool.query('INSERT INTO collections (name, settings, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING', [name, JSON.stringify(settings), new Date().toISOString()]);
    return (await this.getCollection(name))!;
  }

  async getCollection(name: string): Promise<CollectionInfo | undefined> {
    const row = await this.collectionRow(this.pool, name);
    return row ? this.collectionInfo(row) : undefined;
  }

  async updateCollectionSettings(name: string, settings: Record<string, unknown>): Promise<CollectionInfo> {
    const row = await this.requireCollection(this.pool, name);
    await this.pool.query('UPDATE collections SET settings = settings || $1::jsonb WHERE id = $2', [JSON.stringify(settings), row.id]);
    return (await this.getCollection(name))!;
  }

  async listCollections(): Promise<CollectionInfo[]> {
    const rows = (await this.pool.query<CollectionRow>(`SELECT ${COLLECTION_COLUMNS} FROM collections ORDER BY name COLLATE "C"`)).rows;
    return Promise.all(rows.map((row) => this.collectionInfo(row)));
  }

  private async collectionInfo(row: CollectionRow): Promise<CollectionInfo> {
    const documents = await this.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM documents WHERE collection_id = $1', [row.id]);
    return { name: row.name, createdAt: row.created_at, documentCount: documents.rows[0]!.n, chunkCount: row.chunk_count, settings: row.settings };
  }

  async deleteCollection(name: string): Promise<boolean> {
    return this.transaction(async (client) => {
      const row = (await client.query<{ id: number }>('SELECT id FROM collections WHERE name = $1 FOR UPDATE', [name])).rows[0];
      if (!row) return false;
      const indexes = (await client.query<{ name: string }>('SELECT name FROM vector_indexes WHERE collection_id = $1', [row.id])).rows;
      for (const index of indexes) await client.query(`DROP INDEX IF EXISTS ${pg.escapeIdentifier(index.name)}`);
      // Chunks cascade from documents; their postings and vectors cascade from chunks.
      await client.query('DELETE FROM collections WHERE id = $1', [row.id]);
      return true;
    });
  }

  async findDocument(collection: string, source: string): Promise<DocumentRecord | undefined> {
    const row = (await this.pool.query<DocumentRow>(`${DOCUMENT_SELECT} WHERE c.name = $1 AND d.source = $2`, [collection, source])).rows[0];
    return row ? toDocument(row) : undefined;
  }

  async getDocument(id: number | string): Promise<DocumentRecord | undefined> {
    const row = (
      typeof id === 'number'
        ? await this.pool.query<DocumentRow>(`${DOCUMENT_SELECT} WHERE d.id = $1`, [id])
        : await this.pool.query<DocumentRow>(`${DOCUMENT_SELECT} WHERE d.uid = $1`, [id])
    ).rows[0];
    return row ? toDocument(row) : undefined;
  }

  async listDocuments(options: { collection?: string } = {}): Promise<DocumentRecord[]> {
    const rows =
      options.collection === undefined
        ? await this.pool.query<DocumentRow>(`${DOCUMENT_SELECT} ORDER BY c.name COLLATE "C", d.source COLLATE "C"`)
        : await this.pool.query<DocumentRow>(`${DOCUMENT_SELECT} WHERE c.name = $1 ORDER BY d.source COLLATE "C"`, [options.collection]);
    return rows.rows.map(toDocument);
  }

  async putDocument(input: DocumentInput): Promise<DocumentRecord> {
    const now = new Date().toISOString();
    const id = await this.transaction(async (client) => {
      // The collection row is locked first: writers to one collection queue, and its BM25 totals stay exact.
      const collection = (await client.query<CollectionRow>(`SELECT ${COLLECTION_COLUMNS} FROM collections WHERE name = $1 FOR UPDATE`, [input.collection])).rows[0];
      if (!collection) {
        throw new LoreError({ code: 'NOT_FOUND', message: `No collection named "${input.collection}"`, subject: input.collection });
      }
      const old = (await client.query<{ id: number }>('SELECT id FROM documents WHERE collection_id = $1 AND source = $2', [collection.id, input.source])).rows[0];
      let documentId: number;
      if (old) {
        await this.removeChunks(client, collection.id, old.id);
        await client.query(
          `UPDATE documents SET mime_type = $1, type = $2, title = $3, content_hash = $4, bytes = $5, metadata = $6,
                  version = version + 1, updated_at = $7 WHERE id = $8`,
          [input.mimeType, input.type, input.title ?? null, input.contentHash, input.bytes, JSON.stringify(input.metadata), now, old.id],
        );
        documentId = old.id;
      } else {
        const inserted = await client.query<{ id: number }>(
          `INSERT INTO documents (uid, collection_id, source, mime_type, type, title, content_hash, bytes, metadata, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id`,
          [documentUid(input.collection, input.source), collection.id, input.source, input.mimeType, input.type, input.title ?? null, input.contentHash, input.bytes, JSON.stringify(input.metadata), now],
        );
        documentId = inserted.rows[0]!.id;
      }
      const chunks = input.chunks;
      let termTotal = 0;
      if (chunks.length > 0) {
        // One statement for all chunks, one for all postings: arrays unnested on the server.
        const ids = await client.query<{ id: number; ordinal: number }>(
          `INSERT INTO chunks (document_id, collection_id, ordinal, text, start_offset, end_offset, page, heading_path, token_count, term_count, content_hash, metadata, keyword_text)
           SELECT $1, $2, * FROM unnest($3::int[], $4::text[], $5::int[], $6::int[], $7::int[], $8::jsonb[], $9::int[], $10::int[], $11::text[], $12::jsonb[], $13::text[])
           RETURNING id, ordinal`,
          [
            documentId,
            collection.id,
            chunks.map((c) => c.ordinal),
            chunks.map((c) => c.text),
            chunks.map((c) => c.start),
            chunks.map((c) => c.end),
            chunks.map((c) => c.page ?? null),
            chunks.map((c) => JSON.stringify(c.headingPath)),
            chunks.map((c) => c.tokenCount),
            chunks.map((c) => c.termCount),
            chunks.map((c) => c.contentHash),
            chunks.map((c) => JSON.stringify(c.metadata)),
            chunks.map((c) => c.keywordText),
          ],
        );
        const idByOrdinal = new Map(ids.rows.map((r) => [r.ordinal, r.id]));
        const postingChunks: number[] = [];
        const postingTerms: string[] = [];
        const postingTf: number[] = [];
        for (const c of chunks) {
          termTotal += c.termCount;
          const chunkId = idByOrdinal.get(c.ordinal)!;
          for (const [term, tf] of termFrequencies(c.keywordText)) {
            postingChunks.push(chunkId);
            postingTerms.push(term);
            postingTf.push(tf);
          }
        }
        if (postingChunks.length > 0) {
          await client.query('INSERT INTO chunk_terms (collection_id, chunk_id, term, tf) SELECT $1, * FROM unnest($2::int[], $3::text[], $4::int[])', [collection.id, postingChunks, postingTerms, postingTf]);
        }
      }
      await client.query('UPDATE collections SET chunk_count = chunk_count + $1, term_total = term_total + $2 WHERE id = $3', [chunks.length, termTotal, collection.id]);
      return documentId;
    });
    return (await this.getDocument(id))!;
  }

  async deleteDocument(id: number): Promise<boolean> {
    return this.transaction(async (client) => {
      const row = (await client.query<{ collection_id: number }>('SELECT collection_id FROM documents WHERE id = $1', [id])).rows[0];
      if (!row) return false;
      await client.query('SELECT 1 FROM collections WHERE id = $1 FOR UPDATE', [row.collection_id]);
      await this.removeChunks(client, row.collection_id, id);
      await client.query('DELETE FROM documents WHERE id = $1', [id]);
      return true;
    });
  }

  /** Removes a document's chunks (postings and vectors cascade) and takes them out of the BM25 totals. */
  private async removeChunks(client: pg.PoolClient, collectionId: number, documentId: number): Promise<void> {
    const gone = (await client.query<{ term_count: number }>('DELETE FROM chunks WHERE document_id = $1 RETURNING term_count', [documentId])).rows;
    const terms = gone.reduce((sum, r) => sum + r.term_count, 0);
    await client.query('UPDATE collections SET chunk_count = chunk_count - $1, term_total = term_total - $2 WHERE id = $3', [gone.length, terms, collectionId]);
  }

  async keywordSearch(query: KeywordQuery): Promise<SearchHit[]> {
    const terms = indexTerms(query.terms, query.weights);
    if (terms.size === 0 || query.k <= 0) return [];
    const collections = await this.collectionsFor(query.filter);
    const scored: Array<{ id: number; score: number; collection: string }> = [];
    for (const collection of collections) {
      for (const [id, score] of await this.bm25Scores(collection, terms, query.bm25 ?? DEFAULT_BM25, query.filter)) {
        scored.push({ id, score, collection: collection.name });
      }
    }
    scored.sort((a, b) => b.score - a.score || a.id - b.id);
    return this.hydrate(scored.slice(0, query.k), 'keyword');
  }

  /** BM25 over one collection, as SqliteStore scores it: the query terms' postings, filters applied first. */
  private async bm25Scores(collection: CollectionRow, weights: Map<string, number>, params: Bm25Params, filter: SearchFilter | undefined): Promise<Map<number, number>> {
    const scores = new Map<number, number>();
    const n = collection.chunk_count;
    if (n === 0) return scores;
    const terms = [...weights.keys()];
    const avgLength = Math.max(1, collection.term_total / n);
    const df = new Map(
      (await this.pool.query<{ term: string; doc: number }>('SELECT term, count(*)::int AS doc FROM chunk_terms WHERE collection_id = $1 AND term = ANY($2::text[]) GROUP BY term', [collection.id, terms])).rows.map(
        (r) => [r.term, r.doc],
      ),
    );
    if (df.size === 0) return scores;
    const values: unknown[] = [collection.id, terms];
    const where = await this.filterSql(filter, values, [collection.id]);
    if (where === null) return scores;
    const rows = (
      await this.pool.query<{ id: number; term: string; tf: number; len: number }>(
        `SELECT t.chunk_id AS id, t.term, t.tf, k.term_count AS len
         FROM chunk_terms t JOIN chunks k ON k.id = t.chunk_id ${where.includes('d.') ? 'JOIN documents d ON d.id = k.document_id' : ''}
         WHERE t.collection_id = $1 AND t.term = ANY($2::text[]) ${where}`,
        values,
      )
    ).rows;
    const { k1, b } = params;
    for (const r of rows) {
      const docs = df.get(r.term) ?? 1;
      // Lucene's IDF, as in SqliteStore: positive even for terms in over half the chunks.
      const idf = Math.log(1 + (n - docs + 0.5) / (docs + 0.5));
      const weight = ((weights.get(r.term) ?? 1) * idf * r.tf * (k1 + 1)) / (r.tf + k1 * (1 - b + (b * r.len) / avgLength));
      scores.set(r.id, (scores.get(r.id) ?? 0) + weight);
    }
    return scores;
  }

  async keywordTerms(chunkIds: number[]): Promise<Map<number, string[]>> {
    const out = new Map<number, string[]>();
    if (chunkIds.length === 0) return out;
    const rows = (await this.pool.query<{ id: number; keyword_text: string }>('SELECT id, keyword_text FROM chunks WHERE id = ANY($1::int[])', [chunkIds])).rows;
    const byId = new Map(rows.map((r) => [r.id, r.keyword_text]));
    for (const id of chunkIds) {
      const text = byId.get(id);
      if (text !== undefined) out.set(id, text.split(' ').filter(Boolean));
    }
    return out;
  }

  async pendingChunks(options: { collection: string; embedder: string; limit: number; afterChunkId?: number }): Promise<PendingChunk[]> {
    const collection = await this.requireCollection(this.pool, options.collection);
    return (
      await this.pool.query<PendingChunk>(
        `SELECT k.id AS "chunkId", k.content_hash AS "contentHash", k.text
         FROM chunks k
         WHERE k.collection_id = $1 AND k.id > $2
           AND NOT EXISTS (SELECT 1 FROM chunk_vectors v WHERE v.chunk_id = k.id AND v.embedder = $3)
         ORDER BY k.id LIMIT $4`,
        [collection.id, options.afterChunkId ?? 0, options.embedder, options.limit],
      )
    ).rows;
  }

  async countPendingChunks(options: { collection: string; embedder: string }): Promise<number> {
    const collection = await this.requireCollection(this.pool, options.collection);
    return (
      await this.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM chunks k
         WHERE k.collection_id = $1 AND NOT EXISTS (SELECT 1 FROM chunk_vectors v WHERE v.chunk_id = k.id AND v.embedder = $2)`,
        [collection.id, options.embedder],
      )
    ).rows[0]!.n;
  }

  async cachedEmbeddings(options: { embedder: string; contentHashes: string[] }): Promise<Map<string, Float32Array | null>> {
    const out = new Map<string, Float32Array | null>();
    if (options.contentHashes.length === 0) return out;
    const rows = (
      await this.pool.query<{ content_hash: string; vector: string | null }>('SELECT content_hash, vector::text AS vector FROM embedding_cache WHERE embedder = $1 AND content_hash = ANY($2::text[])', [
        options.embedder,
        [...new Set(options.contentHashes)],
      ])
    ).rows;
    for (const r of rows) out.set(r.content_hash, parseVector(r.vector));
    return out;
  }

  async putVectors(options: { collection: string; embedder: string; entries: VectorEntry[] }): Promise<void> {
    // The last entry for a chunk or a text wins, as with INSERT OR REPLACE in SQLite.
    const byChunk = new Map(options.entries.map((e) => [e.chunkId, e]));
    const byHash = new Map(options.entries.map((e) => [e.contentHash, e]));
    const dims = new Set<number>();
    await this.transaction(async (client) => {
      const collection = await this.requireCollection(client, options.collection);
      const cache = [...byHash.values()];
      if (cache.length > 0) {
        await client.query(
          `INSERT INTO embedding_cache (embedder, content_hash, dimensions, vector)
           SELECT $1, h, d, v::vector FROM unnest($2::text[], $3::int[], $4::text[]) AS u(h, d, v)
           ON CONFLICT (embedder, content_hash) DO NOTHING`,
          [options.embedder, cache.map((e) => e.contentHash), cache.map((e) => e.vector?.length ?? 0), cache.map((e) => (e.vector ? vectorLiteral(e.vector) : null))],
        );
      }
      const entries = [...byChunk.values()];
      if (entries.length > 0) {
        // Only chunks that still exist (one may have been replaced while its text was being embedded).
        const written = await client.query<{ dimensions: number }>(
          `INSERT INTO chunk_vectors (chunk_id, collection_id, embedder, dimensions, vector)
           SELECT u.c, k.collection_id, $1, u.d, u.v::vector FROM unnest($2::int[], $3::int[], $4::text[]) AS u(c, d, v) JOIN chunks k ON k.id = u.c
           ON CONFLICT (chunk_id) DO UPDATE SET collection_id = excluded.collection_id, embedder = excluded.embedder, dimensions = excluded.dimensions, vector = excluded.vector
           RETURNING dimensions`,
          [options.embedder, entries.map((e) => e.chunkId), entries.map((e) => e.vector?.length ?? 0), entries.map((e) => (e.vector ? vectorLiteral(e.vector) : null))],
        );
        for (const r of written.rows) if (r.dimensions > 0) dims.add(r.dimensions);
      }
      if (this.vectorIndexes) for (const d of dims) await this.ensureVectorIndex(client, collection.id, options.embedder, d);
    });
  }

  /**
   * One HNSW index (cosine) per collection, embedder and dimension: a partial expression index over
   * `vector::vector(D)`, made once, in the transaction that stores the first such vectors.
   */
  private async ensureVectorIndex(client: pg.PoolClient, collectionId: number, embedder: string, dimensions: number): Promise<void> {
    const exists = () => client.query('SELECT 1 FROM vector_indexes WHERE collection_id = $1 AND embedder = $2 AND dimensions = $3', [collectionId, embedder, dimensions]);
    if ((await exists()).rowCount) return;
    // Two writers storing the first vectors at once: one builds the index, the other waits and finds it.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`lore:${this.schema}:index:${collectionId}:${dimensions}:${embedder}`]);
    if ((await exists()).rowCount) return;
    const name = `chunk_vectors_hnsw_c${collectionId}_d${dimensions}_${(await client.query<{ h: string }>("SELECT substr(md5($1), 1, 10) AS h", [embedder])).rows[0]!.h}`;
    await client.query(
      `CREATE INDEX IF NOT EXISTS ${pg.escapeIdentifier(name)} ON chunk_vectors USING hnsw ((vector::vector(${dimensions})) vector_cosine_ops)
       WITH (m = ${Math.trunc(this.hnsw.m)}, ef_construction = ${Math.trunc(this.hnsw.efConstruction)})
       WHERE ${vectorPredicate('', collectionId, embedder, dimensions)}`,
    );
    await client.query('INSERT INTO vector_indexes (collection_id, embedder, dimensions, name, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING', [collectionId, embedder, dimensions, name, new Date().toISOString()]);
  }

  async clearVectors(options: { collection: string }): Promise<number> {
    const collection = await this.requireCollection(this.pool, options.collection);
    return (await this.pool.query('DELETE FROM chunk_vectors WHERE collection_id = $1', [collection.id])).rowCount ?? 0;
  }

  /**
   * Nearest chunks by cosine through the collection's HNSW index (approximate; exact while the planner
   * prefers a scan). With filters, pgvector's iterative scan keeps walking the graph until k rows pass them.
   */
  async vectorSearch(query: VectorQuery): Promise<SearchHit[]> {
    if (query.k <= 0 || query.vector.length === 0) return [];
    const collections = await this.collectionsFor(query.filter);
    const d = query.vector.length;
    const scored: Array<{ id: number; score: number; collection: string }> = [];
    for (const collection of collections) {
      const values: unknown[] = [vectorLiteral(query.vector), query.k];
      const where = await this.filterSql(query.filter, values, [collection.id]);
      if (where === null) continue;
      const rows = await this.transaction(async (client) => {
        await client.query(`SET LOCAL hnsw.ef_search = ${Math.max(Math.trunc(this.hnsw.efSearch), Math.min(query.k, 1000))}`);
        // Older pgvector reserves the hnsw.* prefix without this setting: setting it there would fail.
        if (where && this.iterativeScan) await client.query("SET LOCAL hnsw.iterative_scan = 'relaxed_order'");
        return (await client.query<{ id: number; score: number }>(vectorSearchSql(collection.id, query.embedder, d, where), values)).rows;
      });
      for (const r of rows) scored.push({ id: r.id, score: r.score, collection: collection.name });
    }
    scored.sort((a, b) => b.score - a.score || a.id - b.id);
    return this.hydrate(scored.slice(0, query.k), 'vector');
  }

  async chunkVectors(options: { embedder: string; chunkIds: number[] }): Promise<Map<number, Float32Array | null>> {
    const out = new Map<number, Float32Array | null>();
    if (options.chunkIds.length === 0) return out;
    const rows = (
      await this.pool.query<{ chunk_id: number; vector: string | null }>('SELECT chunk_id, vector::text AS vector FROM chunk_vectors WHERE embedder = $1 AND chunk_id = ANY($2::int[])', [
        options.embedder,
        [...new Set(options.chunkIds)],
      ])
    ).rows;
    for (const r of rows) out.set(r.chunk_id, parseVector(r.vector));
    return out;
  }

  async documentChunks(options: { documentId: number; fromOrdinal?: number; toOrdinal?: number }): Promise<ChunkRecord[]> {
    const rows = (
      await this.pool.query<{
        id: number;
        document_id: number;
        ordinal: number;
        text: string;
        start_offset: number;
        end_offset: number;
        page: number | null;
        heading_path: string[];
        token_count: number;
        metadata: Metadata;
      }>(
        `SELECT id, document_id, ordinal, text, start_offset, end_offset, page, heading_path, token_count, metadata
         FROM chunks WHERE document_id = $1 AND ordinal BETWEEN $2 AND $3 ORDER BY ordinal`,
        [options.documentId, options.fromOrdinal ?? 0, Math.min(options.toOrdinal ?? 2147483647, 2147483647)],
      )
    ).rows;
    return rows.map((r) => ({
      chunkId: r.id,
      documentId: r.document_id,
      ordinal: r.ordinal,
      text: r.text,
      start: r.start_offset,
      end: r.end_offset,
      page: r.page,
      headingPath: r.heading_path,
      tokenCount: r.token_count,
      metadata: r.metadata,
    }));
  }

  async stats(): Promise<StoreStats> {
    const row = (
      await this.pool.query<{ collections: number; documents: number; chunks: number; bytes: number; version: string | null }>(
        `SELECT (SELECT count(*)::int FROM collections) AS collections,
                (SELECT count(*)::int FROM documents) AS documents,
                (SELECT count(*)::int FROM chunks) AS chunks,
                (SELECT value FROM lore_meta WHERE key = 'schema_version') AS version,
                (SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                  WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relname = ANY($2::text[])) AS bytes`,
        [this.schema, [...POSTGRES_TABLES]],
      )
    ).rows[0]!;
    return { path: this.path, schemaVersion: Number(row.version ?? 0), collections: row.collections, documents: row.documents, chunks: row.chunks, fileBytes: row.bytes };
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }

  /**
   * The filter as SQL over `k` (chunks) and `d` (documents), its values appended to `values`. Source globs
   * are matched in Lore (picomatch, as SqliteStore's lore_glob) against the collections' document sources,
   * and become a list of document ids; `null` when no document can match.
   */
  private async filterSql(filter: SearchFilter | undefined, values: unknown[], collectionIds: number[]): Promise<string | null> {
    const clauses: string[] = [];
    const param = (value: unknown) => {
      values.push(value);
      return `$${values.length}`;
    };
    if (filter?.source) {
      const docs = (await this.pool.query<{ id: number; source: string }>('SELECT id, source FROM documents WHERE collection_id = ANY($1::int[])', [collectionIds])).rows;
      const ids = docs.filter((d) => globMatch(filter.source!, d.source) === 1).map((d) => d.id);
      if (ids.length === 0) return null;
      clauses.push(`d.id = ANY(${param(ids)}::int[])`);
    }
    if (filter?.type) {
      const type = TYPE_ALIASES[filter.type] ?? filter.type;
      clauses.push(`(d.type = ${param(type)} OR d.mime_type = ${param(filter.type)})`);
    }
    for (const [key, value] of Object.entries(filter?.metadata ?? {})) {
      const k = param(key);
      clauses.push(`coalesce(k.metadata -> ${k}, d.metadata -> ${k}) = ${param(JSON.stringify(value))}::jsonb`);
    }
    return clauses.map((c) => `AND ${c}`).join(' ');
  }

  private async collectionsFor(filter: SearchFilter | undefined): Promise<CollectionRow[]> {
    if (!filter?.collection) return (await this.pool.query<CollectionRow>(`SELECT ${COLLECTION_COLUMNS} FROM collections`)).rows;
    return [await this.requireCollection(this.pool, filter.collection)];
  }

  private async hydrate(top: Array<{ id: number; score: number; collection: string }>, side: 'keyword' | 'vector'): Promise<SearchHit[]> {
    if (top.length === 0) return [];
    const rows = (
      await this.pool.query<{
        chunk_id: number;
        document_id: number;
        ordinal: number;
        text: string;
        start_offset: number;
        end_offset: number;
        page: number | null;
        heading_path: string[];
        metadata: Metadata;
        source: string;
        title: string | null;
        mime_type: string;
      }>(
        `SELECT k.id AS chunk_id, k.document_id, k.ordinal, k.text, k.start_offset, k.end_offset, k.page, k.heading_path,
                k.metadata, d.source, d.title, d.mime_type
         FROM chunks k JOIN documents d ON d.id = k.document_id
         WHERE k.id = ANY($1::int[])`,
        [top.map((t) => t.id)],
      )
    ).rows;
    const byId = new Map(rows.map((r) => [r.chunk_id, r]));
    return top.flatMap((t) => {
      const r = byId.get(t.id);
      if (!r) return [];
      return [
        {
          chunkId: r.chunk_id,
          documentId: r.document_id,
          collection: t.collection,
          source: r.source,
          title: r.title,
          mimeType: r.mime_type,
          ordinal: r.ordinal,
          text: r.text,
          start: r.start_offset,
          end: r.end_offset,
          page: r.page,
          headingPath: r.heading_path,
          metadata: r.metadata,
          score: t.score,
          scores: side === 'keyword' ? { keyword: t.score } : { vector: t.score },
        },
      ];
    });
  }

  private async requireCollection(db: Queryable, name: string): Promise<CollectionRow> {
    const row = await this.collectionRow(db, name);
    if (!row) {
      throw new LoreError({ code: 'NOT_FOUND', message: `No collection named "${name}"`, hint: 'run `lore collections` to see the names', subject: name });
    }
    return row;
  }

  private async collectionRow(db: Queryable, name: string): Promise<CollectionRow | undefined> {
    return (await db.query<CollectionRow>(`SELECT ${COLLECTION_COLUMNS} FROM collections WHERE name = $1`, [name])).rows[0];
  }
}

/**
 * The nearest-neighbour query of one collection: `$1` the query vector, `$2` k, `where` further filters.
 * Ordered by the indexed expression so that the planner can walk the HNSW index; scored by inner product.
 */
export function vectorSearchSql(collectionId: number, embedder: string, dimensions: number, where = ''): string {
  const d = Math.trunc(dimensions);
  return `SELECT v.chunk_id AS id, -((v.vector::vector(${d})) <#> $1::vector(${d})) AS score
    FROM chunk_vectors v JOIN chunks k ON k.id = v.chunk_id ${where.includes('d.') ? 'JOIN documents d ON d.id = k.document_id' : ''}
    WHERE ${vectorPredicate('v.', collectionId, embedder, d)} AND v.vector IS NOT NULL ${where}
    ORDER BY (v.vector::vector(${d})) <=> $1::vector(${d}) LIMIT $2`;
}

/** The partial-index predicate, written with literals so the planner can match it to the HNSW index. */
function vectorPredicate(alias: '' | 'v.', collectionId: number, embedder: string, dimensions: number): string {
  return `${alias}collection_id = ${Math.trunc(collectionId)} AND ${alias}embedder = ${pg.escapeLiteral(embedder)} AND ${alias}dimensions = ${Math.trunc(dimensions)}`;
}

const TYPE_ALIASES: Record<string, string> = { md: 'markdown', htm: 'html', txt: 'text', jsonl: 'jsonl' };

function validateCollectionName(name: string): void {
  if (!/^[\p{L}\p{N}][\p{L}\p{N}_.-]{0,63}$/u.test(name)) {
    throw new LoreError({
      code: 'INVALID_ARGUMENT',
      message: `"${name}" is not a valid collection name`,
      hint: 'use 1–64 letters, digits, "_", "-" or ".", starting with a letter or digit',
      subject: name,
    });
  }
}

function notLore(target: string, schema: string): LoreError {
  return new LoreError({
    code: 'NOT_A_LORE_DATABASE',
    message: `Schema "${schema}" of ${target} is not a Lore store`,
    hint: 'point Lore at an empty database, or give Lore a schema of its own (the `schema` option)',
    subject: target,
  });
}

export function openPostgresStore(options: OpenPostgresStoreOptions): Promise<PostgresStore> {
  return PostgresStore.open(options);
}
