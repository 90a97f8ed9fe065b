import { closeSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { Bm25Params } from '../../spec/store.js';
import { ftsTableName } from './migrations.js';

/** Settings of the in-memory keyword index of the embedded store. */
export interface KeywordIndexOptions {
  /**
   * Collections with fewer chunks are scored in SQL from the FTS5 vocabulary, the reference path (default
   * 20,000: there it answers in tens of milliseconds).
   */
  sqlBelow?: number;
  /**
   * Chunks appended since the last full build live in small extra segments until they reach this share of the
   * indexed chunks (default 0.25); then the whole index is rebuilt and saved.
   */
  mergeShare?: number;
}

/** The collection as the caller read it. */
export interface KeywordTarget {
  collectionId: number;
  createdAt: string;
  chunkCount: number;
}

/** A search filter as SQL over `chunks k` and `documents d` (from the store's filter translation). */
export interface KeywordFilter {
  where: string;
  params: unknown[];
}

/** Terms → chunk postings of a run of chunks (positions relative to `base`), in compressed-row form. */
interface Segment {
  base: number;
  count: number;
  terms: Map<string, number>;
  /** Per term number: its postings are `starts[t]` … `starts[t + 1]`. */
  starts: Uint32Array;
  postings: Uint32Array;
  tfs: Uint16Array;
}

/** A query term found in the index: weight × IDF, and where its postings are. */
interface QueryTerm {
  term: string;
  wi: number;
  parts: Array<{ segment: Segment; t: number }>;
}

/**
 * Relative error allowed for a single-precision score: a sum of m positive weights, each rounded to float32
 * (relative error 2⁻²⁴) and added in float32, is off by less than m · 1.2e-7; 1e-4 covers any query of up to
 * `FAST_MAX_TERMS` terms with room to spare.
 */
const FAST_ERROR = 1e-4;
const FAST_MAX_TERMS = 500;
/** More candidates than this within the error band (masses of near-ties): the double-precision pass answers. */
const FAST_MAX_CANDIDATES = 50_000;

/** A collection's index: the chunks in id order (position → id, length, document) and their segments. */
interface Entry {
  createdAt: string;
  /** `keyword_version` and `keyword_removals` of the collection at the snapshot the index reflects. */
  version: number;
  removals: number;
  /** Chunks and the sum of their lengths at that snapshot (N and the average length in BM25). */
  chunkCount: number;
  termTotal: number;
  maxId: number;
  ids: Float64Array;
  lengths: Uint32Array;
  docs: Float64Array;
  segments: Segment[];
  /** Positions of chunks removed since the build (1 = removed), and per term how many of its postings they hold (counted when first needed). */
  dead?: Uint8Array;
  deadPostings?: Map<string, number>;
  /** A term occurs more than 65,535 times in one chunk: the index cannot hold it, SQL answers. */
  overflow: boolean;
  /** Per-query scratch, allocated on first use: per chunk [length norm, score, epoch of the last query that touched it, unused]. */
  scratch?: { slots: Float64Array; touched: Uint32Array; epoch: number; key: string };
  /** The single-precision pass's scratch: per chunk [length norm, score]. */
  single?: { slots: Float32Array; touched: Uint32Array; key: string };
}

interface ChunkRow {
  id: number;
  terms: string;
  len: number;
  doc: number;
}

/** What a file holds besides the arrays: it is used only when it matches the database. */
interface FileMeta {
  format: 1;
  createdAt: string;
  version: number;
  removals: number;
  chunkCount: number;
  termTotal: number;
  maxId: number;
  termCount: number;
  postingCount: number;
  termBytes: number;
}

const MAGIC = 'LOREKW01';
/**
 * How many `keyword_version`s back the removal log is kept (migration v7 prunes entries 1,000 versions old);
 * an index older than this is rebuilt.
 */
const REMOVAL_LOG_REACH = 900;
/** Segments an index may have before the ones after the first are merged. */
const MAX_SEGMENTS = 8;
/** ASCII separators of FTS5's `ascii` tokenizer: every ASCII character but letters and digits. */
const SEPARATORS = /[\x00-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]+/;
/** Terms that need nothing beyond a split at single spaces (the analyser's output normally is). */
const PLAIN = /^[^\x00-\x1f\x21-\x2f\x3a-\x40A-Z\x5b-\x60\x7b-\x7f]*$/;

/**
 * In-memory inverted indexes of large collections, the fast path of `keywordSearch`: per collection, term →
 * postings (chunk position as Uint32, term frequency as Uint16) in typed arrays, the chunks' lengths and ids,
 * and BM25 accumulated per query with the same formula, parameters and order of additions as the SQL path over
 * the FTS5 vocabulary, so both give the same chunks, order and scores (tested).
 *
 * Kept consistent with the SQLite file by the collection's `keyword_version` (bumped by a trigger on every
 * change of its chunks) and `keyword_removals` (bumped when chunks went away): while no chunk was removed, the
 * chunks added since are read by id (new chunk ids are larger than every live one) into a small extra segment;
 * a removal, or appended segments over `mergeShare` of the index, rebuild it from SQLite inside one read
 * transaction. Full builds are saved to `<db>.kw/<collection id>.idx` (with their stamp in the header) and
 * loaded by the next process when no chunk was removed since; otherwise rebuilt. Collections below `sqlBelow`
 * chunks are never indexed: `search` answers null and the caller scores in SQL.
 */
export class KeywordIndexes {
  private readonly entries = new Map<number, Entry>();
  private readonly sqlBelow: number;
  private readonly mergeShare: number;
  private readonly stamp: Database.Statement;
  /** Queries answered by the single-precision pass (for tests and benchmarks). */
  fastQueries = 0;
  /** Merges of the segments after the first (for tests). */
  tailMerges = 0;
  /** Batches of removals applied without a rebuild (for tests and benchmarks). */
  removalsApplied = 0;
  private removalLog: boolean | undefined;
  /** Full builds done by this process (for tests and benchmarks). */
  builds = 0;
  /** Appended segments built by this process. */
  appends = 0;
  /** Milliseconds the last full build took (SQL read included). */
  lastBuildMs = 0;
  /** Milliseconds the last load from disk took. */
  lastLoadMs = 0;

  constructor(
    private readonly db: Database.Database,
    /** The database file, or `:memory:` (indexes then live in memory only). */
    private readonly dbPath: string,
    options: KeywordIndexOptions = {},
  ) {
    this.sqlBelow = options.sqlBelow ?? 20_000;
    this.mergeShare = options.mergeShare ?? 0.25;
    this.stamp = db.prepare('SELECT keyword_version AS version FROM collections WHERE id = ?').pluck();
  }

  /** Where a collection's index file lives (null for an in-memory database). */
  filePath(collectionId: number): string | null {
    if (this.dbPath === ':memory:' || this.dbPath === '') return null;
    return join(`${this.dbPath}.kw`, `${collectionId}.idx`);
  }

  /**
   * The top `k` chunks of one collection by BM25 (best first, ties by id), or null when the collection is small
   * enough for the caller's SQL path. `weights` maps the query's index terms to their weights.
   */
  search(options: {
    target: KeywordTarget;
    weights: Map<string, number>;
    params: Bm25Params;
    k: number;
    filter?: KeywordFilter;
  }): Array<{ id: number; score: number }> | null {
    const { target, weights, params, k, filter } = options;
    if (target.chunkCount < this.sqlBelow) return null;
    const entry = this.entry(target);
    if (!entry || entry.overflow) return null;
    if (entry.chunkCount === 0 || k <= 0) return [];
    const where = filter?.where.trim() ? filter : undefined;
    let allowed: ((p: number) => boolean) | undefined;
    const dead = entry.dead;
    if (dead) allowed = (p) => dead[p] === 0;
    if (where && !/\bk\./.test(where.where)) {
      // Document-level conditions (source, type): the allowed documents come from the small documents table.
      const documents = new Set(
        this.db
          .prepare(`SELECT d.id FROM documents d WHERE d.collection_id = ? ${where.where}`)
          .pluck()
          .all(target.collectionId, ...where.params) as number[],
      );
      allowed = dead ? (p) => dead[p] === 0 && documents.has(entry.docs[p]!) : (p) => documents.has(entry.docs[p]!);
    }
    const documentLevel = !where || !/\bk\./.test(where.where);
    if (documentLevel) {
      const fast = this.fast(entry, weights, params, k, allowed);
      if (fast) return fast;
    }
    const touched = this.accumulate(entry, weights, params);
    if (touched === 0) return [];
    if (documentLevel) return this.best(entry, touched, k, allowed);
    return this.checkedBest(entry, touched, k, where, allowed);
  }

  /** Forgets a deleted collection's index and removes its file. */
  drop(collectionId: number): void {
    this.entries.delete(collectionId);
    const file = this.filePath(collectionId);
    if (file) rmSync(file, { force: true });
  }

  /** Drops cached indexes (they are reloaded or rebuilt on the next search). */
  clear(): void {
    this.entries.clear();
  }

  /**
   * Adds every query term's BM25 contribution into the scratch accumulator; returns how many chunks were
   * touched (their positions are `scratch.touched[0…n)`). Terms go in code-unit order, which is the order the
   * SQL path adds them per chunk (GROUP BY chunk, term), so the sums are the same to the last bit.
   */
  private accumulate(entry: Entry, weights: Map<string, number>, params: Bm25Params): number {
    const n = entry.chunkCount;
    const avgLength = Math.max(1, entry.termTotal / n);
    const { k1, b } = params;
    // One slot of 4 doubles per chunk (length norm, score, the query that last touched it): the posting loop
    // reads one cache line per posting instead of one in each of three arrays. This double-precision pass
    // answers what the single-precision one (`fast`) cannot: metadata filters, weights ≤ 0.
    const scratch = this.scratch(entry, k1, b, avgLength);
    scratch.epoch++;
    const { slots, touched, epoch } = scratch;
    let count = 0;
    const k1p1 = k1 + 1;
    for (const term of [...weights.keys()].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))) {
      const docs = documentFrequency(entry, term);
      if (docs === 0) continue;
      // The same expression as the SQL path, evaluated in the same order.
      const idf = Math.log(1 + (n - docs + 0.5) / (docs + 0.5));
      const wi = (weights.get(term) ?? 1) * idf;
      for (const segment of entry.segments) {
        const t = segment.terms.get(term);
        if (t === undefined) continue;
        const { postings, tfs, base } = segment;
        const end = segment.starts[t + 1]!;
        for (let j = segment.starts[t]!; j < end; j++) {
          const p = base + postings[j]!;
          const at = p << 2;
          const tf = tfs[j]!;
          const weight = (wi * tf * k1p1) / (tf + slots[at]!);
          if (slots[at + 2] === epoch) {
            slots[at + 1]! += weight;
          } else {
            slots[at + 2] = epoch;
            slots[at + 1] = 0 + weight;
            touched[count++] = p;
          }
        }
      }
    }
    return count;
  }

  /**
   * Exact top k in two passes. The first accumulates every posting in single precision, in 8 bytes per chunk
   * (length norm and score side by side: at 1M chunks they stay in the CPU cache where the double-precision
   * slots do not; measured 2× faster), and keeps the chunks whose approximate score is within the rounding
   * error (`FAST_ERROR`) of the k-th best. The second computes those few chunks' scores again in double
   * precision with the SQL path's expression and term order, so the result is the same to the last bit.
   * Null when the error bound does not hold (a weight ≤ 0, b outside 0…1, k1 < 0, very many terms) or too
   * many chunks tie: the caller takes the double-precision pass.
   */
  private fast(entry: Entry, weights: Map<string, number>, params: Bm25Params, k: number, allowed?: (p: number) => boolean): Array<{ id: number; score: number }> | null {
    const n = entry.chunkCount;
    const avgLength = Math.max(1, entry.termTotal / n);
    const { k1, b } = params;
    if (!(k1 >= 0 && b >= 0 && b <= 1) || weights.size > FAST_MAX_TERMS) return null;
    const k1p1 = k1 + 1;
    const terms: QueryTerm[] = [];
    for (const term of [...weights.keys()].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))) {
      const docs = documentFrequency(entry, term);
      if (docs === 0) continue;
      const parts: QueryTerm['parts'] = [];
      for (const segment of entry.segments) {
        const t = segment.terms.get(term);
        if (t !== undefined) parts.push({ segment, t });
      }
      const idf = Math.log(1 + (n - docs + 0.5) / (docs + 0.5));
      const wi = (weights.get(term) ?? 1) * idf;
      // Weights this small could round to 0 in single precision, and 0 marks an untouched chunk.
      if (!(wi > 1e-20)) return null;
      terms.push({ term, wi, parts });
    }
    if (terms.length === 0) return [];
    const { slots, touched: list } = this.single(entry, k1, b, avgLength);
    let touched = 0;
    for (const { wi, parts } of terms) {
      for (const { segment, t } of parts) {
        const { postings, tfs, base } = segment;
        const end = segment.starts[t + 1]!;
        for (let j = segment.starts[t]!; j < end; j++) {
          const p = base + postings[j]!;
          const at = p << 1;
          const tf = tfs[j]!;
          const score = slots[at + 1]!;
          if (score === 0) list[touched++] = p;
          slots[at + 1] = score + (wi * tf * k1p1) / (tf + slots[at]!);
        }
      }
    }
    const kth = kthScore(slots, list, touched, k, allowed);
    const floor = kth * ((1 - FAST_ERROR) / (1 + FAST_ERROR));
    const near: number[] = [];
    for (let i = 0; i < touched; i++) {
      const p = list[i]!;
      const at = (p << 1) + 1;
      if (slots[at]! >= floor && near.length <= FAST_MAX_CANDIDATES && (!allowed || allowed(p))) near.push(p);
      slots[at] = 0;
    }
    if (near.length > FAST_MAX_CANDIDATES) return null;
    this.fastQueries++;
    near.sort((x, y) => x - y);
    // Double precision, terms in code-unit order, each chunk's sum starting from 0: the SQL path's arithmetic.
    const scores = new Float64Array(near.length);
    for (const { wi, parts } of terms) {
      for (const { segment, t } of parts) {
        const { postings, tfs, base } = segment;
        const end = segment.starts[t + 1]!;
        let j = segment.starts[t]!;
        for (let c = 0; c < near.length && j < end; c++) {
          const local = near[c]! - base;
          if (local < 0 || local >= segment.count) continue;
          j = gallop(postings, j, end, local);
          if (j < end && postings[j] === local) {
            const tf = tfs[j]!;
            scores[c]! += (wi * tf * k1p1) / (tf + k1 * (1 - b + (b * entry.lengths[near[c]!]!) / avgLength));
          }
        }
      }
    }
    const out = near.map((p, c) => ({ id: entry.ids[p]!, score: scores[c]! }));
    out.sort((x, y) => y.score - x.score || x.id - y.id);
    return out.slice(0, k);
  }

  /** Single-precision slots [length norm, score] per chunk, all scores 0 between queries. */
  private single(entry: Entry, k1: number, b: number, avgLength: number): NonNullable<Entry['single']> {
    const n = entry.ids.length;
    entry.single ??= { slots: new Float32Array(2 * n), touched: new Uint32Array(n), key: '' };
    const single = entry.single;
    const key = `${k1}\0${b}\0${avgLength}`;
    if (single.key !== key) {
      for (let p = 0; p < n; p++) single.slots[p << 1] = k1 * (1 - b + (b * entry.lengths[p]!) / avgLength);
      single.key = key;
    }
    return single;
  }

  /** The scratch slots; the length norms `k1 · (1 − b + b · length / avg)` are kept while parameters and statistics stay. */
  private scratch(entry: Entry, k1: number, b: number, avgLength: number): NonNullable<Entry['scratch']> {
    const n = entry.ids.length;
    entry.scratch ??= { slots: new Float64Array(4 * n), touched: new Uint32Array(n), epoch: 0, key: '' };
    const scratch = entry.scratch;
    const key = `${k1}\0${b}\0${avgLength}`;
    if (scratch.key !== key) {
      const { slots } = scratch;
      for (let p = 0; p < n; p++) slots[p << 2] = k1 * (1 - b + (b * entry.lengths[p]!) / avgLength);
      scratch.key = key;
    }
    return scratch;
  }

  private score(entry: Entry, p: number): number {
    return entry.scratch!.slots[(p << 2) + 1]!;
  }

  /** The best `k` touched positions (score desc, id asc) that pass `allowed`, as ids and scores. */
  private best(entry: Entry, touched: number, k: number, allowed?: (p: number) => boolean): Array<{ id: number; score: number }> {
    return this.bestPositions(entry, touched, k, allowed).map((p) => ({ id: entry.ids[p]!, score: this.score(entry, p) }));
  }

  /** A bounded heap over the touched positions: the root is the worst of the best `k` kept so far. */
  private bestPositions(entry: Entry, touched: number, k: number, allowed?: (p: number) => boolean): number[] {
    const { slots, touched: list } = entry.scratch!;
    const ids = entry.ids;
    // a ranks below b: lower score, or the same score and a larger id.
    const below = (a: number, b: number) => {
      const sa = slots[(a << 2) + 1]!;
      const sb = slots[(b << 2) + 1]!;
      return sa < sb || (sa === sb && ids[a]! > ids[b]!);
    };
    const heap: number[] = [];
    const siftDown = () => {
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let worst = i;
        if (l < heap.length && below(heap[l]!, heap[worst]!)) worst = l;
        if (r < heap.length && below(heap[r]!, heap[worst]!)) worst = r;
        if (worst === i) return;
        [heap[i], heap[worst]] = [heap[worst]!, heap[i]!];
        i = worst;
      }
    };
    // The root's score and id, so most candidates are turned away by one comparison.
    let floor = -Infinity;
    let floorId = 0;
    for (let i = 0; i < touched; i++) {
      const p = list[i]!;
      const score = slots[(p << 2) + 1]!;
      if (heap.length === k) {
        if (score < floor || (score === floor && ids[p]! > floorId)) continue;
        if (allowed && !allowed(p)) continue;
        heap[0] = p;
        siftDown();
      } else {
        if (allowed && !allowed(p)) continue;
        heap.push(p);
        for (let c = heap.length - 1; c > 0; ) {
          const parent = (c - 1) >> 1;
          if (!below(heap[c]!, heap[parent]!)) break;
          [heap[c], heap[parent]] = [heap[parent]!, heap[c]!];
          c = parent;
        }
        if (heap.length < k) continue;
      }
      floor = slots[(heap[0]! << 2) + 1]!;
      floorId = ids[heap[0]!]!;
    }
    return heap.sort((a, b) => (below(a, b) ? 1 : below(b, a) ? -1 : 0));
  }

  /**
   * Chunk-level conditions (metadata): candidates are checked in SQL in rank order, in growing prefixes of the
   * ranking, until k pass or none are left. Each prefix of the ranking is checked once.
   */
  private checkedBest(entry: Entry, touched: number, k: number, filter: KeywordFilter, alive?: (p: number) => boolean): Array<{ id: number; score: number }> {
    const accepted: Array<{ id: number; score: number }> = [];
    let checked = 0;
    for (let depth = Math.max(1024, 8 * k); ; depth *= 4) {
      const ranked = this.bestPositions(entry, touched, Math.min(depth, touched), alive);
      const fresh = ranked.slice(checked);
      for (let i = 0; i < fresh.length; i += 500) {
        const batch = fresh.slice(i, i + 500).map((p) => entry.ids[p]!);
        const pass = new Set(
          this.db
            .prepare(`SELECT k.id FROM chunks k JOIN documents d ON d.id = k.document_id WHERE k.id IN (${batch.map(() => '?').join(', ')}) ${filter.where}`)
            .pluck()
            .all(...batch, ...filter.params) as number[],
        );
        for (const p of fresh.slice(i, i + 500)) {
          if (pass.has(entry.ids[p]!)) accepted.push({ id: entry.ids[p]!, score: this.score(entry, p) });
        }
        if (accepted.length >= k) return accepted.slice(0, k);
      }
      checked = ranked.length;
      if (depth >= touched) return accepted;
    }
  }

  private entry(target: KeywordTarget): Entry | null {
    const version = Number(this.stamp.get(target.collectionId));
    const cached = this.entries.get(target.collectionId);
    if (cached && cached.version === version && cached.createdAt === target.createdAt) return cached;
    const entry = this.db.transaction(() => this.refresh(target, cached))();
    if (entry) this.entries.set(target.collectionId, entry);
    else this.entries.delete(target.collectionId);
    return entry;
  }

  /** Runs in one read transaction: the stamp, the chunks read and a rebuild all see the same snapshot. */
  private refresh(target: KeywordTarget, cached: Entry | undefined): Entry | null {
    const row = this.db
      .prepare('SELECT keyword_version AS version, keyword_removals AS removals, chunk_count AS n, term_total AS terms, created_at AS createdAt FROM collections WHERE id = ?')
      .get(target.collectionId) as { version: number; removals: number; n: number; terms: number; createdAt: string } | undefined;
    if (!row || row.createdAt !== target.createdAt || row.n < this.sqlBelow) return null;
    const file = this.filePath(target.collectionId);
    // An index from before a removal is still a base while the removal log reaches back to its version.
    const usable = (e: Entry | null | undefined): e is Entry =>
      !!e && e.createdAt === row.createdAt && e.version <= row.version && (e.removals === row.removals || (this.hasRemovalLog() && row.version - e.version <= REMOVAL_LOG_REACH));
    let base: Entry | null | undefined = usable(cached) ? cached : undefined;
    if (!base && file) {
      const loaded = this.load(file, row.createdAt, row.removals, this.hasRemovalLog());
      if (usable(loaded)) base = loaded;
    }
    if (base) {
      const updated = this.update(base, target.collectionId, row);
      if (updated) return updated;
    }
    const started = performance.now();
    const built = this.readSegment(target.collectionId, 0, 0);
    const entry: Entry = {
      createdAt: row.createdAt,
      version: row.version,
      removals: row.removals,
      chunkCount: built.count,
      termTotal: built.termTotal,
      maxId: built.count ? built.ids[built.count - 1]! : 0,
      ids: built.ids,
      lengths: built.lengths,
      docs: built.docs,
      segments: [built.segment],
      overflow: built.overflow,
    };
    this.lastBuildMs = performance.now() - started;
    this.builds++;
    if (file && !entry.overflow) this.save(file, entry);
    return entry;
  }

  /**
   * Brings an index up to the database without a rebuild, or answers null when a rebuild is due (the totals do
   * not add up, or removed and added chunks outgrow `mergeShare`). Chunks removed since the base (from the
   * `keyword_removed` log) are marked dead; then every chunk with an id above the largest one still alive is
   * new — SQLite gives a new row an id above every id in use, and the base's live chunks stayed in use — and
   * goes into one more segment. A removed chunk's id may come back on a new chunk: the old position stays dead.
   */
  private update(base: Entry, collectionId: number, row: { version: number; removals: number; n: number; terms: number }): Entry | null {
    let entry = base;
    if (base.removals !== row.removals) {
      const removed = this.db
        .prepare('SELECT DISTINCT chunk_id FROM keyword_removed WHERE collection_id = ? AND version >= ?')
        .pluck()
        .all(collectionId, base.version) as number[];
      entry = this.markDead(base, removed);
      this.removalsApplied++;
    }
    const dead = entry.dead;
    let floor = 0;
    for (let p = entry.ids.length - 1; p >= 0; p--) {
      if (!dead || !dead[p]) {
        floor = entry.ids[p]!;
        break;
      }
    }
    const appended = this.readSegment(collectionId, floor, entry.ids.length);
    if (entry.chunkCount + appended.count !== row.n || entry.termTotal + appended.termTotal !== row.terms) return null;
    const main = entry.segments[0]!.count;
    const changed = entry.ids.length - main + appended.count + (main - countAlive(entry, 0, main));
    if (changed / Math.max(1, main) > this.mergeShare) return null;
    if (appended.count === 0) return { ...entry, version: row.version, removals: row.removals };
    this.appends++;
    // Many small segments (a query between every write of a long upload): the ones after the first are read
    // again as one, instead of the whole collection.
    if (entry.segments.length + 1 > MAX_SEGMENTS) {
      const first = this.mainOnly(entry);
      const tail = this.readSegment(collectionId, first.maxId, main);
      if (first.chunkCount + tail.count !== row.n || first.termTotal + tail.termTotal !== row.terms) return null;
      this.tailMerges++;
      return { ...this.extend(first, tail, row.version), removals: row.removals };
    }
    return { ...this.extend(entry, appended, row.version), removals: row.removals };
  }

  /** The entry cut back to its first segment (its live chunks and their statistics). */
  private mainOnly(entry: Entry): Entry {
    const main = entry.segments[0]!.count;
    const dead = entry.dead?.slice(0, main);
    let chunkCount = 0;
    let termTotal = 0;
    for (let p = 0; p < main; p++) {
      if (dead && dead[p]) continue;
      chunkCount++;
      termTotal += entry.lengths[p]!;
    }
    return {
      ...entry,
      ids: entry.ids.slice(0, main),
      lengths: entry.lengths.slice(0, main),
      docs: entry.docs.slice(0, main),
      segments: [entry.segments[0]!],
      dead,
      deadPostings: dead ? new Map() : undefined,
      chunkCount,
      termTotal,
      maxId: mainFloor(entry),
      single: undefined,
      scratch: undefined,
    };
  }

  /** A copy of the entry with these chunk ids' live positions marked dead (ids not in it are ignored). */
  private markDead(base: Entry, ids: number[]): Entry {
    const dead = base.dead ? base.dead.slice() : new Uint8Array(base.ids.length);
    let chunkCount = base.chunkCount;
    let termTotal = base.termTotal;
    for (const id of ids) {
      // Each segment's ids ascend; an id can sit in two segments when it was reused.
      for (const segment of base.segments) {
        let lo = segment.base;
        let hi = segment.base + segment.count;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (base.ids[mid]! < id) lo = mid + 1;
          else hi = mid;
        }
        if (lo < segment.base + segment.count && base.ids[lo] === id && !dead[lo]) {
          dead[lo] = 1;
          chunkCount--;
          termTotal -= base.lengths[lo]!;
        }
      }
    }
    return { ...base, dead, deadPostings: new Map(), chunkCount, termTotal, single: undefined, scratch: undefined };
  }

  private hasRemovalLog(): boolean {
    this.removalLog ??= this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'keyword_removed'").get() !== undefined;
    return this.removalLog;
  }

  private extend(base: Entry, appended: ReturnType<KeywordIndexes['readSegment']>, version: number): Entry {
    const concat = <T extends Float64Array | Uint32Array>(a: T, b: T, make: (n: number) => T): T => {
      const out = make(a.length + b.length);
      out.set(a);
      out.set(b, a.length);
      return out;
    };
    return {
      createdAt: base.createdAt,
      version,
      removals: base.removals,
      chunkCount: base.chunkCount + appended.count,
      termTotal: base.termTotal + appended.termTotal,
      maxId: appended.ids[appended.count - 1]!,
      ids: concat(base.ids, appended.ids, (n) => new Float64Array(n)),
      lengths: concat(base.lengths, appended.lengths, (n) => new Uint32Array(n)),
      docs: concat(base.docs, appended.docs, (n) => new Float64Array(n)),
      segments: [...base.segments, appended.segment],
      dead: base.dead ? concatDead(base.dead, appended.count) : undefined,
      // The new positions are all alive: the counts stand.
      deadPostings: base.deadPostings,
      overflow: base.overflow || appended.overflow,
    };
  }

  /**
   * Reads the collection's chunks with ids above `afterId` (id order) and inverts them into one segment whose
   * positions start at `base`. Terms are split the way FTS5's `ascii` tokenizer split them when they were
   * stored, so term frequencies equal the FTS5 instance counts.
   */
  private readSegment(collectionId: number, afterId: number, base: number) {
    const fts = ftsTableName(collectionId);
    // A whole collection: one pass over the FTS table. The chunks after an id: a range of the chunks table, each
    // looked up in the FTS table (FTS5 scans its whole table for a rowid range: 16 ms at 100k chunks for 100).
    const rows = this.db
      .prepare(
        afterId === 0
          ? `SELECT f.rowid AS id, f.terms AS terms, k.term_count AS len, k.document_id AS doc FROM ${fts} f JOIN chunks k ON k.id = f.rowid ORDER BY f.rowid`
          : `SELECT k.id AS id, f.terms AS terms, k.term_count AS len, k.document_id AS doc FROM chunks k JOIN ${fts} f ON f.rowid = k.id WHERE k.id > ? ORDER BY k.id`,
      )
      .iterate(...(afterId === 0 ? [] : [afterId])) as IterableIterator<ChunkRow>;
    const terms = new Map<string, number>();
    let termCount = 0;
    let df = new Uint32Array(1024);
    let lastSeen = new Uint32Array(1024);
    let slotOf = new Uint32Array(1024);
    let pairTerm = new Uint32Array(1 << 16);
    let pairTf = new Uint16Array(1 << 16);
    let pairs = 0;
    let ids = new Float64Array(1024);
    let lengths = new Uint32Array(1024);
    let docs = new Float64Array(1024);
    let pairStart = new Uint32Array(1025);
    let count = 0;
    let termTotal = 0;
    let overflow = false;
    const grow = <T extends Uint32Array | Uint16Array | Float64Array>(a: T, need: number): T => {
      if (need <= a.length) return a;
      const out = new (a.constructor as new (n: number) => T)(Math.max(need, a.length * 2));
      out.set(a);
      return out;
    };
    for (const row of rows) {
      if (count === ids.length) {
        ids = grow(ids, count + 1);
        lengths = grow(lengths, count + 1);
        docs = grow(docs, count + 1);
        pairStart = grow(pairStart, ids.length + 1);
      }
      ids[count] = row.id;
      lengths[count] = row.len;
      docs[count] = row.doc;
      termTotal += row.len;
      pairStart[count] = pairs;
      const stamp = count + 1;
      const tokens = PLAIN.test(row.terms) ? row.terms.split(' ') : row.terms.split(SEPARATORS).map((t) => t.replace(/[A-Z]+/g, (m) => m.toLowerCase()));
      for (const token of tokens) {
        if (!token) continue;
        let t = terms.get(token);
        if (t === undefined) {
          t = termCount++;
          terms.set(token, t);
          if (t === df.length) {
            df = grow(df, t + 1);
            lastSeen = grow(lastSeen, t + 1);
            slotOf = grow(slotOf, t + 1);
          }
        }
        if (lastSeen[t] === stamp) {
          const slot = slotOf[t]!;
          if (pairTf[slot] === 0xffff) overflow = true;
          else pairTf[slot]!++;
          continue;
        }
        lastSeen[t] = stamp;
        if (pairs === pairTerm.length) {
          pairTerm = grow(pairTerm, pairs + 1);
          pairTf = grow(pairTf, pairs + 1);
        }
        slotOf[t] = pairs;
        pairTerm[pairs] = t;
        pairTf[pairs] = 1;
        pairs++;
        df[t]!++;
      }
      count++;
    }
    pairStart[count] = pairs;
    const starts = new Uint32Array(termCount + 1);
    for (let t = 0; t < termCount; t++) starts[t + 1] = starts[t]! + df[t]!;
    const cursor = starts.slice(0, termCount);
    const postings = new Uint32Array(pairs);
    const tfs = new Uint16Array(pairs);
    for (let c = 0; c < count; c++) {
      for (let j = pairStart[c]!; j < pairStart[c + 1]!; j++) {
        const t = pairTerm[j]!;
        const at = cursor[t]!++;
        postings[at] = c;
        tfs[at] = pairTf[j]!;
      }
    }
    return {
      count,
      termTotal,
      overflow,
      ids: ids.slice(0, count),
      lengths: lengths.slice(0, count),
      docs: docs.slice(0, count),
      segment: { base, count, terms, starts, postings, tfs } satisfies Segment,
    };
  }

  /** One file: magic, header length, JSON header, then the arrays 8-byte aligned, then the terms. */
  private save(file: string, entry: Entry): void {
    const segment = entry.segments[0]!;
    const termText = Buffer.from([...segment.terms.keys()].join('\n'), 'utf8');
    const meta: FileMeta = {
      format: 1,
      createdAt: entry.createdAt,
      version: entry.version,
      removals: entry.removals,
      chunkCount: entry.chunkCount,
      termTotal: entry.termTotal,
      maxId: entry.maxId,
      termCount: segment.terms.size,
      postingCount: segment.postings.length,
      termBytes: termText.length,
    };
    const parts = [entry.ids, entry.lengths, entry.docs, segment.starts, segment.postings, segment.tfs].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength));
    const header = Buffer.from(JSON.stringify(meta), 'utf8');
    const head = Buffer.alloc(align(16 + header.length));
    head.write(MAGIC, 0, 'latin1');
    head.writeUInt32LE(header.length, 8);
    header.copy(head, 16);
    const body: Buffer[] = [head];
    for (const part of parts) {
      body.push(part);
      const pad = align(part.length) - part.length;
      if (pad) body.push(Buffer.alloc(pad));
    }
    body.push(termText);
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(tmp, Buffer.concat(body));
      renameSync(tmp, file);
    } catch {
      // A read-only directory: the index stays in memory for this process.
      rmSync(tmp, { force: true });
    }
  }

  /** A saved index when its header matches the collection and no chunk was removed since; else null. */
  private load(file: string, createdAt: string, removals: number, logged: boolean): Entry | null {
    const started = performance.now();
    try {
      const fd = openSync(file, 'r');
      let meta: FileMeta;
      try {
        const head = Buffer.alloc(16);
        if (readSync(fd, head, 0, 16, 0) !== 16 || head.toString('latin1', 0, 8) !== MAGIC) return null;
        const json = Buffer.alloc(head.readUInt32LE(8));
        readSync(fd, json, 0, json.length, 16);
        meta = JSON.parse(json.toString('utf8')) as FileMeta;
      } finally {
        closeSync(fd);
      }
      if (meta.format !== 1 || meta.createdAt !== createdAt || (meta.removals !== removals && !logged)) return null;
      const buf = readFileSync(file);
      // Typed-array views need aligned offsets; a large file is read into its own (aligned) allocation.
      const data = buf.byteOffset % 8 === 0 ? buf : Buffer.from(buf);
      let at = align(16 + data.readUInt32LE(8));
      const take = <T>(make: (buffer: ArrayBuffer, offset: number, length: number) => T, length: number, bytes: number): T => {
        if (at + length * bytes > data.length) throw new Error('truncated');
        const out = make(data.buffer as ArrayBuffer, data.byteOffset + at, length);
        at += align(length * bytes);
        return out;
      };
      const n = meta.chunkCount;
      const ids = take((b, o, l) => new Float64Array(b, o, l), n, 8);
      const lengths = take((b, o, l) => new Uint32Array(b, o, l), n, 4);
      const docs = take((b, o, l) => new Float64Array(b, o, l), n, 8);
      const starts = take((b, o, l) => new Uint32Array(b, o, l), meta.termCount + 1, 4);
      const postings = take((b, o, l) => new Uint32Array(b, o, l), meta.postingCount, 4);
      const tfs = take((b, o, l) => new Uint16Array(b, o, l), meta.postingCount, 2);
      if (at + meta.termBytes !== data.length || starts[meta.termCount] !== meta.postingCount) return null;
      const words = meta.termCount ? data.toString('utf8', at, at + meta.termBytes).split('\n') : [];
      if (words.length !== meta.termCount) return null;
      const terms = new Map<string, number>();
      for (let t = 0; t < words.length; t++) terms.set(words[t]!, t);
      this.lastLoadMs = performance.now() - started;
      return {
        createdAt: meta.createdAt,
        version: meta.version,
        removals: meta.removals,
        chunkCount: meta.chunkCount,
        termTotal: meta.termTotal,
        maxId: meta.maxId,
        ids,
        lengths,
        docs,
        segments: [{ base: 0, count: n, terms, starts, postings, tfs }],
        overflow: false,
      };
    } catch {
      return null; // missing, unreadable or corrupt: rebuilt by the caller
    }
  }
}

function align(n: number): number {
  return Math.ceil(n / 8) * 8;
}

/** The `depth`-th largest single-precision score among the positions (a min-heap), or 0 when there are fewer. */
function kthScore(slots: Float32Array, positions: Uint32Array, count: number, depth: number, allowed?: (p: number) => boolean): number {
  if (count < depth) return 0;
  const heap = new Float64Array(depth);
  let size = 0;
  for (let i = 0; i < count; i++) {
    const score = slots[(positions[i]! << 1) + 1]!;
    if (size === depth && score <= heap[0]!) continue;
    if (allowed && !allowed(positions[i]!)) continue;
    if (size < depth) {
      let c = size++;
      heap[c] = score;
      while (c > 0) {
        const parent = (c - 1) >> 1;
        if (heap[parent]! <= heap[c]!) break;
        [heap[c], heap[parent]] = [heap[parent]!, heap[c]!];
        c = parent;
      }
    } else if (score > heap[0]!) {
      heap[0] = score;
      for (let c = 0; ; ) {
        const l = 2 * c + 1;
        const r = l + 1;
        let min = c;
        if (l < size && heap[l]! < heap[min]!) min = l;
        if (r < size && heap[r]! < heap[min]!) min = r;
        if (min === c) break;
        [heap[c], heap[min]] = [heap[min]!, heap[c]!];
        c = min;
      }
    }
  }
  return size < depth ? 0 : heap[0]!;
}

/** The first index in [from, end) whose posting is ≥ target (postings ascending): exponential, then binary search. */
function gallop(postings: Uint32Array, from: number, end: number, target: number): number {
  if (from >= end || postings[from]! >= target) return from;
  let step = 1;
  let lo = from;
  let hi = from + 1;
  while (hi < end && postings[hi]! < target) {
    lo = hi;
    step *= 2;
    hi = Math.min(end, from + step);
  }
  // postings[lo] < target; the answer is in (lo, hi].
  while (lo + 1 < hi) {
    const mid = (lo + hi) >>> 1;
    if (postings[mid]! < target) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** The largest id still alive in the first segment: every chunk after it came later. */
function mainFloor(entry: Entry): number {
  for (let p = entry.segments[0]!.count - 1; p >= 0; p--) if (!entry.dead || !entry.dead[p]) return entry.ids[p]!;
  return 0;
}

/** Live positions among [from, to). */
function countAlive(entry: Entry, from: number, to: number): number {
  if (!entry.dead) return to - from;
  let n = 0;
  for (let p = from; p < to; p++) n += 1 - entry.dead[p]!;
  return n;
}

function concatDead(dead: Uint8Array, more: number): Uint8Array {
  const out = new Uint8Array(dead.length + more);
  out.set(dead);
  return out;
}

/** Chunks alive in the index that hold the term: its postings in every segment, less the dead chunks'. */
function documentFrequency(entry: Entry, term: string): number {
  let docs = 0;
  let dead = entry.dead ? entry.deadPostings!.get(term) : 0;
  const counting = dead === undefined;
  if (counting) dead = 0;
  for (const segment of entry.segments) {
    const t = segment.terms.get(term);
    if (t === undefined) continue;
    docs += segment.starts[t + 1]! - segment.starts[t]!;
    if (counting) for (let j = segment.starts[t]!; j < segment.starts[t + 1]!; j++) dead! += entry.dead![segment.base + segment.postings[j]!]!;
  }
  if (counting) entry.deadPostings!.set(term, dead!);
  return docs - dead!;
}
