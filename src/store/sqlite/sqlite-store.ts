import type Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import type { Metadata } from '../../spec/document.js';
import { LoreError } from '../../spec/errors.js';
import { DEFAULT_BM25 } from '../../spec/store.js';
import type {
  Bm25Params,
  ChunkRecord,
  CollectionInfo,
  PendingChunk,
  VectorEntry,
  VectorQuery,
  DocumentInput,
  DocumentRecord,
  KeywordQuery,
  SearchFilter,
  SearchHit,
  StoreStats,
  SyncStore,
} from '../../spec/store.js';
import { globMatch } from './glob-function.js';
import { KeywordIndexes, type KeywordIndexOptions } from './keyword-index.js';
import { createFtsTable, dropFtsTable, ftsTableName, ftsVocabNames, SCHEMA_VERSION } from './migrations.js';
import { openDatabase } from './open-database.js';
import { VectorIndexes, type VectorIndexOptions } from './vector-index.js';
import { blobToVector, buildMatrix, rowOf, topK, vectorToBlob, type VectorMatrix } from './vector-matrix.js';

export interface OpenSqliteStoreOptions {
  /** File path, or `:memory:`. */
  path: string;
  readonly?: boolean;
  /**
   * The approximate (HNSW) index used for large collections, stored in `<path>.vec/`; `false` searches every
   * collection exactly.
   */
  vectorIndex?: VectorIndexOptions | false;
  /**
   * The in-memory keyword index used for large collections, saved in `<path>.kw/`; `false` scores every
   * collection in SQL from the FTS5 vocabulary (the reference path, same results).
   */
  keywordIndex?: KeywordIndexOptions | false;
}

interface CollectionRow {
  id: number;
  name: string;
  settings: string;
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
  metadata: string;
  version: number;
  updated_at: string;
  chunk_count: number;
}

const DOCUMENT_SELECT = `
  SELECT d.id, d.uid, c.name AS collection, d.source, d.mime_type, d.type, d.title, d.content_hash, d.bytes,
         d.metadata, d.version, d.updated_at,
         (SELECT count(*) FROM chunks k WHERE k.document_id = d.id) AS chunk_count
  FROM documents d JOIN collections c ON c.id = d.collection_id`;

/** A stable document id from where it came from, so the same file keeps its id across re-ingests. */
export function documentUid(collection: string, source: string): string {
  return createHash('sha256').update(collection).update('\0').update(source).digest('hex').slice(0, 16);
}

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
    metadata: JSON.parse(row.metadata) as Metadata,
    version: row.version,
    updatedAt: row.updated_at,
  };
}

/**
 * The query terms as the FTS5 `ascii` tokenizer stored them: split at ASCII separators, ASCII
 * lower-cased, deduplicated. Looking them up in the vocab tables (never in MATCH syntax) means no term
 * can be read as a query operator.
 */
export function indexTerms(terms: string[], weights: Record<string, number> = {}): Map<string, number> {
  const out = new Map<string, number>();
  for (const term of terms) {
    for (const piece of term.split(/[\x00-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]+/)) {
      if (piece) {
        const key = piece.replace(/[A-Z]+/g, (m) => m.toLowerCase());
        out.set(key, Math.max(out.get(key) ?? 0, weights[term] ?? 1));
      }
    }
  }
  return out;
}

/** The embedded default store: one SQLite file holding collections, documents, chunks and their indexes. */
export class SqliteStore implements SyncStore {
  readonly path: string;
  readonly db: Database.Database;
  /** Vector matrices by collection id + embedder, rebuilt when the collection's vector_version moves. */
  private readonly matrices = new Map<string, VectorMatrix>();
  /** HNSW indexes of large collections (null when disabled). */
  readonly vectorIndexes: VectorIndexes | null;
  /** Inverted indexes of large collections for BM25 (null when disabled). */
  readonly keywordIndexes: KeywordIndexes | null;

  constructor(options: OpenSqliteStoreOptions) {
    this.path = options.path;
    this.db = openDatabase(options);
    this.vectorIndexes = options.vectorIndex === false ? null : new VectorIndexes(this.db, this.path, options.vectorIndex);
    this.keywordIndexes = options.keywordIndex === false ? null : new KeywordIndexes(this.db, this.path, options.keywordIndex);
    this.db.function('lore_glob', { deterministic: true }, (pattern: unknown, source: unknown) =>
      globMatch(String(pattern), String(source)),
    );
  }

  ensureCollection(name: string, settings: Record<string, unknown> = {}): CollectionInfo {
    validateCollectionName(name);
    const existing = this.collectionRow(name);
    if (existing) return this.getCollection(name)!;
    this.db.transaction(() => {
      const info = this.db
        .prepare('INSERT INTO collections (name, settings, created_at) VALUES (?, ?, ?)')
        .run(name, JSON.stringify(settings), new Date().toISOString());
      createFtsTable(this.db, Number(info.lastInsertRowid));
    }).immediate();
    return this.getCollection(name)!;
  }

  updateCollectionSettings(name: string, settings: Record<string, unknown>): CollectionInfo {
    const row = this.requireCollection(name);
    const merged = { ...(JSON.parse(row.settings) as Record<string, unknown>), ...settings };
    this.db.prepare('UPDATE collections SET settings = ? WHERE id = ?').run(JSON.stringify(merged), row.id);
    return this.getCollection(name)!;
  }

  getCollection(name: string): CollectionInfo | undefined {
    const row = this.collectionRow(name);
    return row ? this.collectionInfo(row) : undefined;
  }

  listCollections(): CollectionInfo[] {
    const rows = this.db.prepare(`SELECT ${COLLECTION_COLUMNS} FROM collections ORDER BY name`).all() as CollectionRow[];
    return rows.map((row) => this.collectionInfo(row));
  }

  /**
   * The chunk count is the one kept for BM25 in the collection row: counting chunks through a join scanned
   * the whole table, and this runs on every ingest and search. Documents are counted on their index.
   */
  private collectionInfo(row: CollectionRow): CollectionInfo {
    return {
      name: row.name,
      createdAt: row.created_at,
      documentCount: Number(this.db.prepare('SELECT count(*) FROM documents WHERE collection_id = ?').pluck().get(row.id)),
      chunkCount: row.chunk_count,
      settings: JSON.parse(row.settings) as Record<string, unknown>,
    };
  }

  deleteCollection(name: string): boolean {
    const row = this.collectionRow(name);
    if (!row) return false;
    this.db.transaction(() => {
      dropFtsTable(this.db, row.id);
      this.db.prepare('DELETE FROM collections WHERE id = ?').run(row.id);
    }).immediate();
    this.vectorIndexes?.drop(row.id);
    this.keywordIndexes?.drop(row.id);
    return true;
  }

  findDocument(collection: string, source: string): DocumentRecord | undefined {
    const row = this.db.prepare(`${DOCUMENT_SELECT} WHERE c.name = ? AND d.source = ?`).get(collection, source) as
      | DocumentRow
      | undefined;
    return row ? toDocument(row) : undefined;
  }

  getDocument(id: number | string): DocumentRecord | undefined {
    const row = (
      typeof id === 'number'
        ? this.db.prepare(`${DOCUMENT_SELECT} WHERE d.id = ?`).get(id)
        : this.db.prepare(`${DOCUMENT_SELECT} WHERE d.uid = ?`).get(id)
    ) as DocumentRow | undefined;
    return row ? toDocument(row) : undefined;
  }

  listDocuments(options: { collection?: string } = {}): DocumentRecord[] {
    const rows = (
      options.collection === undefined
        ? this.db.prepare(`${DOCUMENT_SELECT} ORDER BY c.name, d.source`).all()
        : this.db.prepare(`${DOCUMENT_SELECT} WHERE c.name = ? ORDER BY d.source`).all(options.collection)
    ) as DocumentRow[];
    return rows.map(toDocument);
  }

  putDocument(input: DocumentInput): DocumentRecord {
    const collection = this.collectionRow(input.collection);
    if (!collection) {
      throw new LoreError({ code: 'NOT_FOUND', message: `No collection named "${input.collection}"`, subject: input.collection });
    }
    const fts = ftsTableName(collection.id);
    const now = new Date().toISOString();
    const write = this.db.transaction(() => {
      const old = this.db
        .prepare('SELECT id, version, created_at FROM documents WHERE collection_id = ? AND source = ?')
        .get(collection.id, input.source) as { id: number; version: number; created_at: string } | undefined;
      let documentId: number;
      if (old) {
        this.removeChunks(collection.id, old.id);
        this.db
          .prepare(
            `UPDATE documents SET mime_type = ?, type = ?, title = ?, content_hash = ?, bytes = ?, metadata = ?,
                    version = version + 1, updated_at = ? WHERE id = ?`,
          )
          .run(input.mimeType, input.type, input.title ?? null, input.contentHash, input.bytes, JSON.stringify(input.metadata), now, old.id);
        documentId = old.id;
      } else {
        const info = this.db
          .prepare(
            `INSERT INTO documents (uid, collection_id, source, mime_type, type, title, content_hash, bytes, metadata, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            documentUid(input.collection, input.source),
            collection.id,
            input.source,
            input.mimeType,
            input.type,
            input.title ?? null,
            input.contentHash,
            input.bytes,
            JSON.stringify(input.metadata),
            now,
            now,
          );
        documentId = Number(info.lastInsertRowid);
      }
      const insertChunk = this.db.prepare(
        `INSERT INTO chunks (document_id, ordinal, text, start_offset, end_offset, page, heading_path, token_count, term_count, content_hash, metadata)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      let termTotal = 0;
      const insertTerms = this.db.prepare(`INSERT INTO ${fts} (rowid, terms) VALUES (?, ?)`);
      for (const chunk of input.chunks) {
        const info = insertChunk.run(
          documentId,
          chunk.ordinal,
          chunk.text,
          chunk.start,
          chunk.end,
          chunk.page ?? null,
          JSON.stringify(chunk.headingPath),
          chunk.tokenCount,
          chunk.termCount,
          chunk.contentHash,
          JSON.stringify(chunk.metadata),
        );
        insertTerms.run(info.lastInsertRowid, chunk.keywordText);
        termTotal += chunk.termCount;
      }
      this.db
        .prepare('UPDATE collections SET chunk_count = chunk_count + ?, term_total = term_total + ?, vector_version = vector_version + 1 WHERE id = ?')
        .run(input.chunks.length, termTotal, collection.id);
      return documentId;
    });
    // IMMEDIATE takes the write lock up front, so concurrent writers queue instead of failing mid-way.
    const id = write.immediate();
    return this.getDocument(id)!;
  }

  deleteDocument(id: number): boolean {
    const row = this.db.prepare('SELECT collection_id FROM documents WHERE id = ?').get(id) as { collection_id: number } | undefined;
    if (!row) return false;
    this.db.transaction(() => {
      this.removeChunks(row.collection_id, id);
      this.db.prepare('DELETE FROM documents WHERE id = ?').run(id);
    }).immediate();
    return true;
  }

  /** Removes a document's chunks from the table, the keyword index and the collection's BM25 statistics. */
  private removeChunks(collectionId: number, documentId: number): void {
    const gone = this.db
      .prepare('SELECT count(*) AS n, coalesce(sum(term_count), 0) AS terms FROM chunks WHERE document_id = ?')
      .get(documentId) as { n: number; terms: number };
    this.db.prepare(`DELETE FROM ${ftsTableName(collectionId)} WHERE rowid IN (SELECT id FROM chunks WHERE document_id = ?)`).run(documentId);
    this.db.prepare('DELETE FROM chunks WHERE document_id = ?').run(documentId);
    this.db
      .prepare('UPDATE collections SET chunk_count = chunk_count - ?, term_total = term_total - ?, vector_version = vector_version + 1 WHERE id = ?')
      .run(gone.n, gone.terms, collectionId);
  }

  keywordSearch(query: KeywordQuery): SearchHit[] {
    const terms = indexTerms(query.terms, query.weights);
    if (terms.size === 0 || query.k <= 0) return [];
    const collections = query.filter?.collection
      ? [this.collectionRow(query.filter.collection)].filter((c): c is CollectionRow => c !== undefined)
      : (this.db.prepare(`SELECT ${COLLECTION_COLUMNS} FROM collections`).all() as CollectionRow[]);
    if (query.filter?.collection && collections.length === 0) {
      throw new LoreError({
        code: 'NOT_FOUND',
        message: `No collection named "${query.filter.collection}"`,
        hint: 'run `lore collections` to see the names',
        subject: query.filter.collection,
      });
    }
    const scored: Array<{ id: number; score: number; collection: string }> = [];
    const params = query.bm25 ?? DEFAULT_BM25;
    for (const collection of collections) {
      // Large collections: the in-memory index gives the collection's top k (null: score in SQL here).
      const indexed = this.keywordIndexes?.search({
        target: { collectionId: collection.id, createdAt: collection.created_at, chunkCount: collection.chunk_count },
        weights: terms,
        params,
        k: query.k,
        filter: query.filter ? filterSql(query.filter) : undefined,
      });
      for (const [id, score] of indexed ? indexed.map((h) => [h.id, h.score] as const) : this.bm25Scores(collection, terms, params, query.filter)) {
        scored.push({ id, score, collection: collection.name });
      }
    }
    // Across collections the BM25 scales differ a little (each has its own statistics); good enough to merge.
    scored.sort((a, b) => b.score - a.score || a.id - b.id);
    const top = scored.slice(0, query.k);
    return this.hydrate(top);
  }

  /**
   * BM25 over one collection's keyword index, filters applied before ranking. Term frequencies come from
   * the fts5vocab instance table (only the query terms' postings are read), document frequencies from the
   * row table, N and the average length from the collection row.
   */
  private bm25Scores(collection: CollectionRow, weights: Map<string, number>, params: Bm25Params, filter: SearchFilter | undefined): Map<number, number> {
    const scores = new Map<number, number>();
    const n = collection.chunk_count;
    if (n === 0) return scores;
    const terms = [...weights.keys()];
    const avgLength = Math.max(1, collection.term_total / n);
    const vocab = ftsVocabNames(collection.id);
    const marks = terms.map(() => '?').join(', ');
    const df = new Map(
      (this.db.prepare(`SELECT term, doc FROM ${vocab.row} WHERE term IN (${marks})`).all(...terms) as Array<{ term: string; doc: number }>).map(
        (r) => [r.term, r.doc],
      ),
    );
    if (df.size === 0) return scores;
    const { where, params: filterParams } = filterSql(filter);
    const needsDocument = where.includes('d.');
    const rows = this.db
      .prepare(
        `SELECT v.doc AS id, v.term AS term, count(*) AS tf, k.term_count AS len
         FROM ${vocab.instance} v JOIN chunks k ON k.id = v.doc ${needsDocument ? 'JOIN documents d ON d.id = k.document_id' : ''}
         WHERE v.term IN (${marks}) ${where}
         GROUP BY v.doc, v.term`,
      )
      .all(...terms, ...filterParams) as Array<{ id: number; term: string; tf: number; len: number }>;
    const { k1, b } = params;
    for (const r of rows) {
      const docs = df.get(r.term) ?? 1;
      // The "+1" inside the log (Lucene's form) keeps IDF positive for terms in over half the chunks.
      const idf = Math.log(1 + (n - docs + 0.5) / (docs + 0.5));
      const weight = ((weights.get(r.term) ?? 1) * idf * r.tf * (k1 + 1)) / (r.tf + k1 * (1 - b + (b * r.len) / avgLength));
      scores.set(r.id, (scores.get(r.id) ?? 0) + weight);
    }
    return scores;
  }

  keywordTerms(chunkIds: number[]): Map<number, string[]> {
    const out = new Map<number, string[]>();
    if (chunkIds.length === 0) return out;
    const marks = chunkIds.map(() => '?').join(', ');
    const rows = this.db
      .prepare(`SELECT k.id AS id, d.collection_id AS collection FROM chunks k JOIN documents d ON d.id = k.document_id WHERE k.id IN (${marks})`)
      .all(...chunkIds) as Array<{ id: number; collection: number }>;
    for (const row of rows) {
      const terms = this.db.prepare(`SELECT terms FROM ${ftsTableName(row.collection)} WHERE rowid = ?`).pluck().get(row.id) as string | undefined;
      out.set(row.id, terms ? terms.split(' ').filter(Boolean) : []);
    }
    return out;
  }

  pendingChunks(options: { collection: string; embedder: string; limit: number; afterChunkId?: number }): PendingChunk[] {
    const collection = this.requireCollection(options.collection);
    return (
      this.db
        .prepare(
          `SELECT k.id AS chunkId, k.content_hash AS contentHash, k.text AS text
           FROM chunks k JOIN documents d ON d.id = k.document_id
           WHERE d.collection_id = ? AND k.id > ?
             AND NOT EXISTS (SELECT 1 FROM chunk_vectors v WHERE v.chunk_id = k.id AND v.embedder = ?)
           ORDER BY k.id LIMIT ?`,
        )
        .all(collection.id, options.afterChunkId ?? 0, options.embedder, options.limit) as PendingChunk[]
    );
  }

  countPendingChunks(options: { collection: string; embedder: string }): number {
    const collection = this.requireCollection(options.collection);
    return Number(
      this.db
        .prepare(
          `SELECT count(*) FROM chunks k JOIN documents d ON d.id = k.document_id
           WHERE d.collection_id = ? AND NOT EXISTS (SELECT 1 FROM chunk_vectors v WHERE v.chunk_id = k.id AND v.embedder = ?)`,
        )
        .pluck()
        .get(collection.id, options.embedder),
    );
  }

  cachedEmbeddings(options: { embedder: string; contentHashes: string[] }): Map<string, Float32Array | null> {
    const out = new Map<string, Float32Array | null>();
    const get = this.db.prepare('SELECT vector FROM embedding_cache WHERE embedder = ? AND content_hash = ?').pluck();
    for (const hash of new Set(options.contentHashes)) {
      const blob = get.get(options.embedder, hash) as Buffer | undefined;
      if (blob !== undefined) out.set(hash, blobToVector(blob));
    }
    return out;
  }

  putVectors(options: { collection: string; embedder: string; entries: VectorEntry[] }): void {
    const collection = this.requireCollection(options.collection);
    const putVector = this.db.prepare('INSERT OR REPLACE INTO chunk_vectors (chunk_id, embedder, vector) VALUES (?, ?, ?)');
    const putCache = this.db.prepare(
      'INSERT OR IGNORE INTO embedding_cache (embedder, content_hash, dimensions, vector) VALUES (?, ?, ?, ?)',
    );
    const exists = this.db.prepare('SELECT 1 FROM chunks WHERE id = ?').pluck();
    this.db.transaction(() => {
      for (const e of options.entries) {
        const blob = vectorToBlob(e.vector);
        putCache.run(options.embedder, e.contentHash, e.vector?.length ?? 0, blob);
        // The chunk may have been replaced while its text was being embedded: the cache still keeps the work.
        if (exists.get(e.chunkId) !== undefined) putVector.run(e.chunkId, options.embedder, blob);
      }
      this.db.prepare('UPDATE collections SET vector_version = vector_version + 1 WHERE id = ?').run(collection.id);
    }).immediate();
  }

  clearVectors(options: { collection: string }): number {
    const collection = this.requireCollection(options.collection);
    let removed = 0;
    this.db.transaction(() => {
      removed = this.db
        .prepare('DELETE FROM chunk_vectors WHERE chunk_id IN (SELECT k.id FROM chunks k JOIN documents d ON d.id = k.document_id WHERE d.collection_id = ?)')
        .run(collection.id).changes;
      this.db.prepare('UPDATE collections SET vector_version = vector_version + 1 WHERE id = ?').run(collection.id);
    }).immediate();
    return removed;
  }

  vectorSearch(query: VectorQuery): SearchHit[] {
    if (query.k <= 0) return [];
    const collections = this.collectionsFor(query.filter);
    const scored: Array<{ id: number; score: number; collection: string }> = [];
    for (const collection of collections) {
      const { where, params } = filterSql(query.filter);
      // Filters first: the candidate chunks come from SQL, and only their vectors are compared.
      const ids = where
        ? (this.db
            .prepare(`SELECT k.id FROM chunks k JOIN documents d ON d.id = k.document_id WHERE d.collection_id = ? ${where}`)
            .pluck()
            .all(collection.id, ...params) as number[])
        : undefined;
      // Large collections: the HNSW index (or exact over a small filtered subset); null means scan exactly here.
      const approximate =
        this.vectorIndexes && !query.exact
          ? this.vectorIndexes.search(
              {
                collectionId: collection.id,
                createdAt: collection.created_at,
                embedder: query.embedder,
                version: Number(this.db.prepare('SELECT vector_version FROM collections WHERE id = ?').pluck().get(collection.id)),
              },
              query.vector,
              query.k,
              ids,
            )
          : null;
      if (approximate) {
        for (const hit of approximate) scored.push({ ...hit, collection: collection.name });
        continue;
      }
      const matrix = this.matrix(collection, query.embedder);
      if (matrix.ids.length === 0) continue;
      let mask: Uint8Array | undefined;
      if (ids) {
        mask = new Uint8Array(matrix.ids.length);
        for (const id of ids) {
          const row = rowOf(matrix, id);
          if (row >= 0) mask[row] = 1;
        }
      }
      for (const hit of topK({ matrix, query: query.vector, k: query.k, mask })) scored.push({ ...hit, collection: collection.name });
    }
    scored.sort((a, b) => b.score - a.score || a.id - b.id);
    return this.hydrate(scored.slice(0, query.k)).map((h) => ({ ...h, scores: { vector: h.score } }));
  }

  chunkVectors(options: { embedder: string; chunkIds: number[] }): Map<number, Float32Array | null> {
    const out = new Map<number, Float32Array | null>();
    const ids = [...new Set(options.chunkIds)];
    // Batches stay under SQLite's bound-parameter limit; one query per batch, not one per chunk.
    for (let i = 0; i < ids.length; i += 500) {
      const batch = ids.slice(i, i + 500);
      const rows = this.db
        .prepare(`SELECT chunk_id, vector FROM chunk_vectors WHERE embedder = ? AND chunk_id IN (${batch.map(() => '?').join(', ')})`)
        .all(options.embedder, ...batch) as Array<{ chunk_id: number; vector: Buffer }>;
      for (const row of rows) out.set(row.chunk_id, blobToVector(row.vector));
    }
    return out;
  }

  documentChunks(options: { documentId: number; fromOrdinal?: number; toOrdinal?: number }): ChunkRecord[] {
    const rows = this.db
      .prepare(
        `SELECT id, document_id, ordinal, text, start_offset, end_offset, page, heading_path, token_count, metadata
         FROM chunks WHERE document_id = ? AND ordinal BETWEEN ? AND ? ORDER BY ordinal`,
      )
      .all(options.documentId, options.fromOrdinal ?? 0, options.toOrdinal ?? Number.MAX_SAFE_INTEGER) as Array<{
      id: number;
      document_id: number;
      ordinal: number;
      text: string;
      start_offset: number;
      end_offset: number;
      page: number | null;
      heading_path: string;
      token_count: number;
      metadata: string;
    }>;
    return rows.map((r) => ({
      chunkId: r.id,
      documentId: r.document_id,
      ordinal: r.ordinal,
      text: r.text,
      start: r.start_offset,
      end: r.end_offset,
      page: r.page,
      headingPath: JSON.parse(r.heading_path) as string[],
      tokenCount: r.token_count,
      metadata: JSON.parse(r.metadata) as Metadata,
    }));
  }

  private matrix(collection: CollectionRow, embedder: string): VectorMatrix {
    const version = Number(this.db.prepare('SELECT vector_version FROM collections WHERE id = ?').pluck().get(collection.id));
    const key = `${collection.id}\0${embedder}`;
    const cached = this.matrices.get(key);
    if (cached && cached.version === version) return cached;
    const rows = this.db
      .prepare(
        `SELECT v.chunk_id, v.vector FROM chunk_vectors v JOIN chunks k ON k.id = v.chunk_id JOIN documents d ON d.id = k.document_id
         WHERE d.collection_id = ? AND v.embedder = ? ORDER BY v.chunk_id`,
      )
      .all(collection.id, embedder) as Array<{ chunk_id: number; vector: Buffer }>;
    const matrix = buildMatrix(rows, version);
    this.matrices.set(key, matrix);
    return matrix;
  }

  private collectionsFor(filter: SearchFilter | undefined): CollectionRow[] {
    if (!filter?.collection) return this.db.prepare(`SELECT ${COLLECTION_COLUMNS} FROM collections`).all() as CollectionRow[];
    return [this.requireCollection(filter.collection)];
  }

  private requireCollection(name: string): CollectionRow {
    const row = this.collectionRow(name);
    if (!row) {
      throw new LoreError({ code: 'NOT_FOUND', message: `No collection named "${name}"`, hint: 'run `lore collections` to see the names', subject: name });
    }
    return row;
  }

  private hydrate(top: Array<{ id: number; score: number; collection: string }>): SearchHit[] {
    if (top.length === 0) return [];
    const rows = this.db
      .prepare(
        `SELECT k.id AS chunk_id, k.document_id, k.ordinal, k.text, k.start_offset, k.end_offset, k.page, k.heading_path,
                k.metadata, d.source, d.title, d.mime_type
         FROM chunks k JOIN documents d ON d.id = k.document_id
         WHERE k.id IN (${top.map(() => '?').join(', ')})`,
      )
      .all(...top.map((t) => t.id)) as Array<{
      chunk_id: number;
      document_id: number;
      ordinal: number;
      text: string;
      start_offset: number;
      end_offset: number;
      page: number | null;
      heading_path: string;
      metadata: string;
      source: string;
      title: string | null;
      mime_type: string;
    }>;
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
          headingPath: JSON.parse(r.heading_path) as string[],
          metadata: JSON.parse(r.metadata) as Metadata,
          score: t.score,
          scores: { keyword: t.score },
        },
      ];
    });
  }

  stats(): StoreStats {
    const count = (sql: string) => Number(this.db.prepare(sql).pluck().get());
    let fileBytes = 0;
    if (this.path !== ':memory:') {
      for (const suffix of ['', '-wal']) {
        try {
          fileBytes += statSync(this.path + suffix).size;
        } catch {
          // The WAL file only exists while a writer has it open.
        }
      }
    }
    return {
      path: this.path,
      schemaVersion: SCHEMA_VERSION,
      collections: count('SELECT count(*) FROM collections'),
      documents: count('SELECT count(*) FROM documents'),
      chunks: count('SELECT count(*) FROM chunks'),
      fileBytes,
    };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private collectionRow(name: string): CollectionRow | undefined {
    return this.db.prepare(`SELECT ${COLLECTION_COLUMNS} FROM collections WHERE name = ?`).get(name) as CollectionRow | undefined;
  }
}

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

const TYPE_ALIASES: Record<string, string> = { md: 'markdown', htm: 'html', txt: 'text', jsonl: 'jsonl' };

function filterSql(filter: SearchFilter | undefined): { where: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (filter?.source) {
    clauses.push('lore_glob(?, d.source) = 1');
    params.push(filter.source);
  }
  if (filter?.type) {
    const type = TYPE_ALIASES[filter.type] ?? filter.type;
    clauses.push('(d.type = ? OR d.mime_type = ?)');
    params.push(type, filter.type);
  }
  for (const [key, value] of Object.entries(filter?.metadata ?? {})) {
    const path = `$."${key.replaceAll('"', '\\"')}"`;
    clauses.push('coalesce(json_extract(k.metadata, ?), json_extract(d.metadata, ?)) = ?');
    params.push(path, path, typeof value === 'boolean' ? Number(value) : Array.isArray(value) ? JSON.stringify(value) : value);
  }
  return { where: clauses.map((c) => `AND ${c}`).join(' '), params };
}

export function openSqliteStore(options: OpenSqliteStoreOptions): SqliteStore {
  return new SqliteStore(options);
}
