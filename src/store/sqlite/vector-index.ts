import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { HierarchicalNSW as HnswIndex } from 'hnswlib-node';

const require = createRequire(import.meta.url);

/** Settings of the approximate (HNSW) vector index of the embedded store. */
export interface VectorIndexOptions {
  /** Collections with fewer vectors than this are searched exactly (default 20,000). */
  exactBelow?: number;
  /** A filter leaving at most this many candidates is searched exactly over them (default 20,000). */
  filteredExactMax?: number;
  /** HNSW graph degree (default 16). */
  m?: number;
  /** Candidate list size while building (default 200). */
  efConstruction?: number;
  /**
   * Candidate list size while searching (raised to k when k is larger). Default: vectors / 1000 between 256
   * and 1024 (bench:scale: recall@10 0.992 at 100k with 256, 0.98 at 1M with 1024, p95 2.6 ms).
   */
  efSearch?: number;
}

/** What describes the vectors an index was built from; any difference means the index is stale. */
interface IndexMeta {
  format: 1;
  version: number;
  createdAt: string;
  count: number;
  dimensions: number;
  m: number;
  efConstruction: number;
}

interface Entry {
  meta: IndexMeta;
  index: HnswIndex | null;
}

export interface IndexTarget {
  collectionId: number;
  createdAt: string;
  embedder: string;
  /** The collection's current `vector_version`. */
  version: number;
}

const VECTORS_SQL = `SELECT v.chunk_id, v.vector FROM chunk_vectors v JOIN chunks k ON k.id = v.chunk_id JOIN documents d ON d.id = k.document_id
  WHERE d.collection_id = ? AND v.embedder = ? AND length(v.vector) > 0`;

/**
 * HNSW indexes (hnswlib-node, inner product on unit vectors) kept next to the SQLite file, one per collection
 * and embedder: `<db>.vec/<collection id>-<embedder hash>.idx` with a `.json` naming the `vector_version`,
 * collection creation time, count and dimensions it was built from. An index whose description does not match
 * the database (missing, stale, unreadable) is rebuilt from SQLite on the next query that needs it, inside one
 * read transaction, so it never answers from vectors that are no longer there. Collections below
 * `exactBelow` vectors never get one: `search` answers null and the caller scans exactly.
 */
export class VectorIndexes {
  private readonly entries = new Map<string, Entry>();
  private readonly exactBelow: number;
  private readonly filteredExactMax: number;
  private readonly m: number;
  private readonly efConstruction: number;
  /** Candidate list size while searching (undefined: by collection size); may be changed between queries. */
  efSearch: number | undefined;
  /** Rebuilds done by this process (for tests and benchmarks). */
  builds = 0;
  /** Milliseconds the last rebuild took. */
  lastBuildMs = 0;

  constructor(
    private readonly db: Database.Database,
    /** The database file, or `:memory:` (indexes then live in memory only). */
    private readonly dbPath: string,
    options: VectorIndexOptions = {},
  ) {
    this.exactBelow = options.exactBelow ?? 20_000;
    this.filteredExactMax = options.filteredExactMax ?? 20_000;
    this.m = options.m ?? 16;
    this.efConstruction = options.efConstruction ?? 200;
    this.efSearch = options.efSearch;
  }

  /** Where an index file lives (null for an in-memory database). */
  filePath(collectionId: number, embedder: string): string | null {
    if (this.dbPath === ':memory:' || this.dbPath === '') return null;
    const tag = createHash('sha256').update(embedder).digest('hex').slice(0, 12);
    return join(`${this.dbPath}.vec`, `${collectionId}-${tag}.idx`);
  }

  /**
   * Top k by cosine among the collection's vectors (only `allowed` chunk ids when given), or null when the
   * collection is small enough for the caller's exact scan.
   */
  search(target: IndexTarget, query: Float32Array, k: number, allowed?: number[]): Array<{ id: number; score: number }> | null {
    const entry = this.entry(target);
    if (entry.meta.count < this.exactBelow || !entry.index) return null;
    if (query.length !== entry.meta.dimensions) return [];
    if (allowed) {
      // A restrictive filter: exact over the candidates' vectors, read from SQLite (HNSW filters poorly).
      if (allowed.length <= this.filteredExactMax) return this.exactOver(target.embedder, allowed, query, k);
      const set = new Set(allowed);
      return this.hnsw(entry, query, Math.min(k, allowed.length), (label) => set.has(label));
    }
    return this.hnsw(entry, query, Math.min(k, entry.meta.count));
  }

  /** The search candidate list size used for a collection of `count` vectors when `efSearch` is not set. */
  defaultEf(count: number): number {
    return Math.min(1024, Math.max(256, Math.round(count / 1000)));
  }

  /** Forgets a deleted collection's indexes and removes their files. */
  drop(collectionId: number): void {
    for (const key of [...this.entries.keys()]) if (key.startsWith(`${collectionId}\0`)) this.entries.delete(key);
    const file = this.filePath(collectionId, '');
    if (!file) return;
    const dir = join(file, '..');
    try {
      for (const name of readdirSync(dir)) if (name.startsWith(`${collectionId}-`)) rmSync(join(dir, name), { force: true });
    } catch {
      // No index directory: nothing to remove.
    }
  }

  /** Drops cached indexes (they are reloaded or rebuilt on the next search). */
  clear(): void {
    this.entries.clear();
  }

  private hnsw(entry: Entry, query: Float32Array, k: number, filter?: (label: number) => boolean): Array<{ id: number; score: number }> {
    if (k <= 0) return [];
    const index = entry.index!;
    const ef = this.efSearch ?? this.defaultEf(entry.meta.count);
    index.setEf(Math.max(ef, k, filter ? 2 * k : 0));
    const point = Array.from(query);
    // The binding rejects an explicit `undefined` third argument.
    const result = filter ? index.searchKnn(point, k, filter) : index.searchKnn(point, k);
    const out = result.neighbors.map((id, i) => ({ id, score: 1 - result.distances[i]! }));
    out.sort((a, b) => b.score - a.score || a.id - b.id);
    return out;
  }

  private exactOver(embedder: string, ids: number[], query: Float32Array, k: number): Array<{ id: number; score: number }> {
    const d = query.length;
    const best: Array<{ id: number; score: number }> = [];
    const vector = new Float32Array(d);
    const bytes = new Uint8Array(vector.buffer);
    for (let i = 0; i < ids.length; i += 500) {
      const batch = ids.slice(i, i + 500);
      const rows = this.db
        .prepare(`SELECT chunk_id, vector FROM chunk_vectors WHERE embedder = ? AND chunk_id IN (${batch.map(() => '?').join(', ')})`)
        .all(embedder, ...batch) as Array<{ chunk_id: number; vector: Buffer }>;
      for (const row of rows) {
        if (row.vector.byteLength !== d * 4) continue;
        bytes.set(row.vector);
        let s = 0;
        for (let j = 0; j < d; j++) s += vector[j]! * query[j]!;
        if (best.length === k && s <= best[k - 1]!.score) continue;
        best.push({ id: row.chunk_id, score: s });
        best.sort((a, b) => b.score - a.score || a.id - b.id);
        if (best.length > k) best.pop();
      }
    }
    return best;
  }

  private entry(target: IndexTarget): Entry {
    const key = `${target.collectionId}\0${target.embedder}`;
    const cached = this.entries.get(key);
    if (cached && cached.meta.version === target.version && cached.meta.createdAt === target.createdAt) return cached;
    const entry = this.db.transaction(() => this.loadOrBuild(target))();
    this.entries.set(key, entry);
    return entry;
  }

  /** Runs in one read transaction: the count, the file check and a rebuild all see the same vectors. */
  private loadOrBuild(target: IndexTarget): Entry {
    const version = Number(this.db.prepare('SELECT vector_version FROM collections WHERE id = ?').pluck().get(target.collectionId));
    const count = Number(this.db.prepare(`SELECT count(*) FROM (${VECTORS_SQL})`).pluck().get(target.collectionId, target.embedder));
    const first = this.db.prepare(`${VECTORS_SQL} LIMIT 1`).get(target.collectionId, target.embedder) as { vector: Buffer } | undefined;
    const dimensions = first ? first.vector.byteLength / 4 : 0;
    const meta: IndexMeta = {
      format: 1,
      version,
      createdAt: target.createdAt,
      count,
      dimensions,
      m: this.m,
      efConstruction: this.efConstruction,
    };
    if (count < this.exactBelow || dimensions === 0) return { meta, index: null };
    const file = this.filePath(target.collectionId, target.embedder);
    if (file) {
      const loaded = this.load(file, meta);
      if (loaded) return { meta, index: loaded };
    }
    const started = performance.now();
    const index = this.build(target, meta);
    this.lastBuildMs = performance.now() - started;
    this.builds++;
    if (file) this.save(file, index, meta);
    return { meta, index };
  }

  private load(file: string, expected: IndexMeta): HnswIndex | null {
    try {
      if (!existsSync(file) || !existsSync(`${file}.json`)) return null;
      const meta = JSON.parse(readFileSync(`${file}.json`, 'utf8')) as IndexMeta;
      const same = (Object.keys(expected) as Array<keyof IndexMeta>).every((name) => meta[name] === expected[name]);
      if (!same) return null;
      const index = new (hnswlib().HierarchicalNSW)('ip', expected.dimensions);
      index.readIndexSync(file);
      if (index.getCurrentCount() !== expected.count || index.getNumDimensions() !== expected.dimensions) return null;
      return index;
    } catch {
      return null; // unreadable or corrupt: rebuilt by the caller
    }
  }

  private build(target: IndexTarget, meta: IndexMeta): HnswIndex {
    const index = new (hnswlib().HierarchicalNSW)('ip', meta.dimensions);
    index.initIndex({ maxElements: meta.count, m: meta.m, efConstruction: meta.efConstruction, randomSeed: 100 });
    const vector = new Float32Array(meta.dimensions);
    const bytes = new Uint8Array(vector.buffer);
    const point = new Array<number>(meta.dimensions);
    const rows = this.db.prepare(VECTORS_SQL).iterate(target.collectionId, target.embedder) as IterableIterator<{ chunk_id: number; vector: Buffer }>;
    for (const row of rows) {
      if (row.vector.byteLength !== meta.dimensions * 4) continue;
      bytes.set(row.vector);
      for (let j = 0; j < meta.dimensions; j++) point[j] = vector[j]!;
      index.addPoint(point, row.chunk_id);
    }
    return index;
  }

  private save(file: string, index: HnswIndex, meta: IndexMeta): void {
    try {
      mkdirSync(join(file, '..'), { recursive: true });
      rmSync(`${file}.json`, { force: true });
      index.writeIndexSync(`${file}.tmp`);
      renameSync(`${file}.tmp`, file);
      writeFileSync(`${file}.json`, JSON.stringify(meta));
    } catch {
      // A read-only directory: the index stays in memory for this process.
    }
  }
}

let loaded: typeof import('hnswlib-node') | undefined;
function hnswlib(): typeof import('hnswlib-node') {
  loaded ??= require('hnswlib-node') as typeof import('hnswlib-node');
  return loaded;
}
