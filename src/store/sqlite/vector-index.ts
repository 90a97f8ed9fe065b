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

/**
 * The stamp of an index: the collection's `vector_version` and `keyword_version` it reflects (where the repair
 * starts reading the logs), its live vectors, and how it was built (any difference there means a rebuild).
 */
interface IndexMeta {
  format: 2;
  version: number;
  keywordVersion: number;
  createdAt: string;
  /** Live (not marked deleted) vectors. */
  count: number;
  dimensions: number;
  m: number;
  efConstruction: number;
  /** Labels written or marked deleted by repairs since the full build. */
  changed: number;
}

/** How many versions back the logs are trusted (migrations v7 and v8 keep 1,000); an older index is rebuilt. */
const LOG_REACH = 900;
/** Repairs past this share of the live vectors (deleted slots, updated points) rebuild the index instead. */
const REPAIR_SHARE = 0.25;
/**
 * A repaired index is written back only once its file's stamp is this many versions behind: writing the whole
 * file costs far more than the repair (bench:scale, 100k vectors: 620 ms against 76 ms for 100 added), and an
 * older file is repaired the same way when loaded, as long as the logs reach back to it.
 */
const SAVE_BEHIND = LOG_REACH / 2;

interface Entry {
  meta: IndexMeta;
  index: HnswIndex | null;
  /** The versions of the stamp in the index file as this process last read or wrote it. */
  saved?: { version: number; keywordVersion: number };
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
/** One chunk's current vector, if it still is in the collection under the embedder. */
const VECTOR_OF_SQL = `SELECT v.vector FROM chunk_vectors v JOIN chunks k ON k.id = v.chunk_id JOIN documents d ON d.id = k.document_id
  WHERE v.chunk_id = ? AND d.collection_id = ? AND v.embedder = ? AND length(v.vector) > 0`;
/** Chunk ids whose vector may differ from the index's: written or cleared (v8), or whose chunk went (v7). */
const TOUCHED_SQL = `SELECT chunk_id FROM vector_written WHERE collection_id = ? AND version >= ?
  UNION SELECT chunk_id FROM keyword_removed WHERE collection_id = ? AND version >= ?`;

/**
 * HNSW indexes (hnswlib-node, inner product on unit vectors) kept next to the SQLite file, one per collection
 * and embedder: `<db>.vec/<collection id>-<embedder hash>.idx` with a `.json` stamp naming the `vector_version`
 * and `keyword_version` it reflects, the collection's creation time, its live count and dimensions.
 *
 * After a write the next query that needs the index repairs it, inside one read transaction: the chunk ids
 * touched since its stamp (vectors written or cleared, logged by migration v8; chunks removed, logged by v7) are
 * each looked up in SQLite and the label updated (`addPoint` over an existing label replaces and revives it),
 * added (capacity grown as needed) or marked deleted. So a replaced document or a reused chunk id ends as
 * SQLite has it, and the index never answers with a vector that is no longer there. The file is written back
 * only once its stamp falls half the logs' reach behind (writing it costs far more than the repair; a stale
 * file is repaired the same way when loaded). It is rebuilt from SQLite instead when missing, unreadable or built differently (dimensions, m),
 * when the logs no longer reach back to its stamp, or when repairs since the build pass a quarter of its
 * vectors (clearVectors always does; deleted slots and updated points would otherwise wear the graph down).
 * Collections below `exactBelow` vectors never get one: `search` answers null and the caller scans exactly.
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
  /** Repairs done by this process, and the labels they touched (for tests and benchmarks). */
  repairs = 0;
  repairedLabels = 0;
  /** Milliseconds the last repair took (log read and index changes), and writing its file. */
  lastRepairMs = 0;
  lastSaveMs = 0;

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
    // The cached index is dropped first: a repair that fails midway leaves it half-changed.
    this.entries.delete(key);
    const entry = this.db.transaction(() => this.loadOrBuild(target, cached))();
    this.entries.set(key, entry);
    return entry;
  }

  /** Runs in one read transaction: the stamps, the logs, the count and a rebuild all see the same vectors. */
  private loadOrBuild(target: IndexTarget, cached: Entry | undefined): Entry {
    const state = this.db.prepare('SELECT vector_version AS version, keyword_version AS keywordVersion FROM collections WHERE id = ?').get(target.collectionId) as
      | { version: number; keywordVersion: number }
      | undefined;
    const version = Number(state?.version ?? 0);
    const keywordVersion = Number(state?.keywordVersion ?? 0);
    const file = this.filePath(target.collectionId, target.embedder);
    // An index in memory or on disk, however old: brought up to date from the logs when they reach back.
    const base = cached?.index && cached.meta.createdAt === target.createdAt ? cached : file ? this.load(file, target.createdAt) : null;
    if (base?.index) {
      let repaired: Entry | null = null;
      const started = performance.now();
      try {
        repaired = this.repair(target, base, version, keywordVersion);
      } catch {
        repaired = null; // the binding refused a change: rebuilt below
      }
      if (repaired && repaired !== base) this.lastRepairMs = performance.now() - started;
      if (repaired && repaired.meta.count >= this.exactBelow) {
        const saved = repaired.saved;
        const behind = saved ? Math.max(version - saved.version, keywordVersion - saved.keywordVersion) : Infinity;
        this.lastSaveMs = 0;
        if (file && behind >= SAVE_BEHIND) {
          const saving = performance.now();
          this.save(file, repaired.index!, repaired.meta);
          this.lastSaveMs = performance.now() - saving;
          repaired.saved = { version, keywordVersion };
        }
        return repaired;
      }
    }
    const count = Number(this.db.prepare(`SELECT count(*) FROM (${VECTORS_SQL})`).pluck().get(target.collectionId, target.embedder));
    const first = this.db.prepare(`${VECTORS_SQL} LIMIT 1`).get(target.collectionId, target.embedder) as { vector: Buffer } | undefined;
    const dimensions = first ? first.vector.byteLength / 4 : 0;
    const meta: IndexMeta = {
      format: 2,
      version,
      keywordVersion,
      createdAt: target.createdAt,
      count,
      dimensions,
      m: this.m,
      efConstruction: this.efConstruction,
      changed: 0,
    };
    if (count < this.exactBelow || dimensions === 0) return { meta, index: null };
    const started = performance.now();
    const index = this.build(target, meta);
    this.lastBuildMs = performance.now() - started;
    this.builds++;
    if (file) this.save(file, index, meta);
    return { meta, index, saved: { version, keywordVersion } };
  }

  /**
   * The index brought to the given versions from the logs, or null when it must be rebuilt. Answers `base`
   * itself when nothing changed; otherwise changes `base.index` in place.
   */
  private repair(target: IndexTarget, base: Entry, version: number, keywordVersion: number): Entry | null {
    const meta = base.meta;
    if (meta.m !== this.m || meta.efConstruction !== this.efConstruction) return null;
    if (meta.version === version && meta.keywordVersion === keywordVersion) return base;
    // Versions only grow; the logs keep entries from 1,000 versions back.
    if (version < meta.version || keywordVersion < meta.keywordVersion) return null;
    if (version - meta.version > LOG_REACH || keywordVersion - meta.keywordVersion > LOG_REACH) return null;
    const touched = this.db
      .prepare(TOUCHED_SQL)
      .pluck()
      .all(target.collectionId, meta.version, target.collectionId, meta.keywordVersion) as number[];
    if (meta.changed + touched.length > REPAIR_SHARE * meta.count) return null;
    const index = base.index!;
    const d = meta.dimensions;
    const vectorOf = this.db.prepare(VECTOR_OF_SQL).pluck();
    const vector = new Float32Array(d);
    const bytes = new Uint8Array(vector.buffer);
    const point = new Array<number>(d);
    // Room for every touched label being new, grown by a margin so that appends do not resize each time.
    const need = index.getCurrentCount() + touched.length;
    if (need > index.getMaxElements()) index.resizeIndex(Math.max(need, Math.ceil(index.getMaxElements() * 1.1)));
    let count = meta.count;
    touched.sort((a, b) => a - b);
    for (const id of touched) {
      const blob = vectorOf.get(id, target.collectionId, target.embedder) as Buffer | undefined;
      if (blob && blob.byteLength !== d * 4) return null; // re-embedded with other dimensions
      // Whether the label is live now: marking it deleted succeeds only then (absent or already deleted throw).
      let live = true;
      try {
        index.markDelete(id);
      } catch {
        live = false;
      }
      if (blob) {
        bytes.set(blob);
        for (let j = 0; j < d; j++) point[j] = vector[j]!;
        // An existing label (live or deleted) is revived and moved to the new vector; a new one takes a slot.
        index.addPoint(point, id);
        if (!live) count++;
      } else if (live) {
        count--;
      }
    }
    this.repairs++;
    this.repairedLabels += touched.length;
    return { meta: { ...meta, version, keywordVersion, count, changed: meta.changed + touched.length }, index, saved: base.saved };
  }

  /** A saved index and its stamp, if built the way this process builds and readable. */
  private load(file: string, createdAt: string): Entry | null {
    try {
      if (!existsSync(file) || !existsSync(`${file}.json`)) return null;
      const meta = JSON.parse(readFileSync(`${file}.json`, 'utf8')) as IndexMeta;
      // Built otherwise (another format, collection, graph settings): rebuilt whatever its versions.
      if (meta.format !== 2 || meta.createdAt !== createdAt || meta.m !== this.m || meta.efConstruction !== this.efConstruction) return null;
      if (!(meta.dimensions > 0) || !Number.isInteger(meta.version) || !Number.isInteger(meta.keywordVersion) || !Number.isInteger(meta.changed)) return null;
      const index = new (hnswlib().HierarchicalNSW)('ip', meta.dimensions);
      index.readIndexSync(file);
      if (index.getNumDimensions() !== meta.dimensions || index.getCurrentCount() < meta.count) return null;
      return { meta, index, saved: { version: meta.version, keywordVersion: meta.keywordVersion } };
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
