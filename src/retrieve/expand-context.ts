import type { ChunkRecord, SearchHit, Store } from '../spec/store.js';
import { countTokens } from '../text/count-tokens.js';
import { segmentSentences } from '../text/sentences.js';
import { toContextHit, type ContextHit, type TextSpan } from './context-hit.js';

export type ContextMode = 'window' | 'parent';
export const CONTEXT_MODES: readonly ContextMode[] = ['window', 'parent'];

/** Tokens a parent section may grow to around its hit (a few default-sized chunks). */
export const DEFAULT_PARENT_TOKENS = 1000;

export interface ExpandContextOptions {
  store: Store;
  /** Best first; the output keeps this order (a merged context takes the place of its best hit). */
  hits: SearchHit[];
  /**
   * `window`: the hit plus `window` neighbouring chunks (or sentences) on each side; `parent`: the
   * enclosing section (the chunks around the hit with the same heading path), up to `maxTokens`.
   */
  mode: ContextMode;
  /** Window mode: neighbours on each side (default 1). */
  window?: number;
  /** Window mode: count neighbours in chunks (default) or in sentences. */
  unit?: 'chunk' | 'sentence';
  /** Most tokens of one context (default: 1000 in parent mode, no limit in window mode). The hit itself always stays. */
  maxTokens?: number;
}

interface Expansion {
  hit: SearchHit;
  rank: number;
  documentId: number;
  /** Chunks of one record: JSONL/CSV records and their metadata are separate units, never joined. */
  record: string;
  lo: number;
  hi: number;
  start: number;
  end: number;
}

/**
 * Parent-document / sentence-window retrieval: small chunks rank well, larger context answers well. Each
 * hit grows to its neighbouring chunks or sentences (window) or its section (parent), read back from the
 * store by ordinal. Expansions of the same document that overlap or touch are merged into one context, so
 * no text is handed over twice (chunks overlap by design: text is joined by offsets, never concatenated).
 *
 * The store keeps chunks, not whole documents; chunks cover all non-space text of a document, so the
 * only characters not read back are the white space between two chunks that do not overlap. That gap is
 * filled with as many white-space characters (one: a space, more: line breaks), so offsets stay exact and
 * each entry of `spans` is exactly the document's text.
 */
export async function expandContext(options: ExpandContextOptions): Promise<ContextHit[]> {
  const chunks = createChunkCache(options.store);
  const expansions: Expansion[] = [];
  const passthrough = new Map<number, ContextHit>();
  for (const [rank, hit] of options.hits.entries()) {
    const anchor = await chunks.at(hit.documentId, hit.ordinal);
    // A hit whose chunk is gone or changed (re-ingested since it was retrieved) stays as it was.
    if (!anchor || anchor.chunkId !== hit.chunkId) {
      passthrough.set(rank, toContextHit(hit));
      continue;
    }
    const range =
      options.mode === 'parent' ? await parentRange(options, chunks, anchor) : options.unit === 'sentence' ? await sentenceRange(options, chunks, anchor) : await windowRange(options, chunks, anchor);
    expansions.push({ hit, rank, documentId: hit.documentId, record: recordKey(anchor), ...range });
  }

  // Merge, per document and record, expansions whose text overlaps or is separated by white space only.
  const groups = new Map<string, Expansion[]>();
  for (const e of expansions) {
    const key = `${e.documentId}\0${e.record}`;
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  const merged: Array<{ rank: number; hit: ContextHit }> = [];
  for (const group of groups.values()) {
    group.sort((a, b) => a.start - b.start || a.rank - b.rank);
    let run: Expansion[] = [group[0]!];
    const flush = async () => merged.push({ rank: Math.min(...run.map((e) => e.rank)), hit: await buildContext(chunks, run) });
    for (const e of group.slice(1)) {
      const union = { documentId: e.documentId, lo: Math.min(...run.map((r) => r.lo)), hi: Math.max(...run.map((r) => r.hi)), end: Math.max(...run.map((r) => r.end)) };
      if (e.lo <= union.hi + 1 && (e.start <= union.end || (await onlySpaceBetween(chunks, union, e)))) run.push(e);
      else {
        await flush();
        run = [e];
      }
    }
    await flush();
  }
  for (const [rank, hit] of passthrough) merged.push({ rank, hit });
  return merged.sort((a, b) => a.rank - b.rank).map((m) => m.hit);
}

function recordKey(chunk: ChunkRecord): string {
  return JSON.stringify(chunk.metadata);
}

type Range = Pick<Expansion, 'lo' | 'hi' | 'start' | 'end'>;

/** Grows from the anchor while `accept(next)` holds: after and before in turn, each side until it stops. */
async function grow(chunks: ChunkCache, anchor: ChunkRecord, accept: (next: ChunkRecord, side: 'before' | 'after', joined: ChunkRecord[]) => boolean): Promise<ChunkRecord[]> {
  const joined = [anchor];
  let after = true;
  let before = true;
  while (after || before) {
    if (after) {
      const next = await chunks.at(anchor.documentId, joined[joined.length - 1]!.ordinal + 1);
      if (next && recordKey(next) === recordKey(anchor) && accept(next, 'after', joined)) joined.push(next);
      else after = false;
    }
    if (before) {
      const next = await chunks.at(anchor.documentId, joined[0]!.ordinal - 1);
      if (next && recordKey(next) === recordKey(anchor) && accept(next, 'before', joined)) joined.unshift(next);
      else before = false;
    }
  }
  return joined;
}

/** Tokens the joined text would have with `next` added (overlapping text counted once). */
function tokensWith(joined: ChunkRecord[], next: ChunkRecord, side: 'before' | 'after'): number {
  return countTokens(joinChunks(side === 'after' ? [...joined, next] : [next, ...joined]).text);
}

async function windowRange(o: ExpandContextOptions, chunks: ChunkCache, anchor: ChunkRecord): Promise<Range> {
  const n = Math.max(0, Math.floor(o.window ?? 1));
  const counts = { before: 0, after: 0 };
  const joined = await grow(chunks, anchor, (next, side, current) => {
    if (counts[side] >= n) return false;
    if (o.maxTokens !== undefined && tokensWith(current, next, side) > o.maxTokens) return false;
    counts[side]++;
    return true;
  });
  return span(joined);
}

async function parentRange(o: ExpandContextOptions, chunks: ChunkCache, anchor: ChunkRecord): Promise<Range> {
  const budget = o.maxTokens ?? DEFAULT_PARENT_TOKENS;
  const section = JSON.stringify(anchor.headingPath);
  const joined = await grow(chunks, anchor, (next, side, current) => JSON.stringify(next.headingPath) === section && tokensWith(current, next, side) <= budget);
  return span(joined);
}

/** The hit's chunk plus `window` sentences either side, read from the neighbouring chunks as far as needed. */
async function sentenceRange(o: ExpandContextOptions, chunks: ChunkCache, anchor: ChunkRecord): Promise<Range> {
  const n = Math.max(0, Math.floor(o.window ?? 1));
  for (let radius = 1; ; radius *= 2) {
    const around = await grow(chunks, anchor, (next) => Math.abs(next.ordinal - anchor.ordinal) <= radius);
    const joined = joinChunks(around);
    const sentences = segmentSentences(joined.text).filter((s) => s.text.trim() !== '');
    const at = (offset: number) => offset - joined.start;
    let first = sentences.findIndex((s) => s.end > at(anchor.start));
    if (first < 0) first = sentences.length - 1;
    let last = sentences.length - 1;
    while (last > first && sentences[last]!.start >= at(anchor.end)) last--;
    // The sentences wanted reach past what was read, and the record may go on: read further and look again.
    const moreBefore = first - n < 0 && around[0]!.ordinal === anchor.ordinal - radius;
    const moreAfter = last + n > sentences.length - 1 && around[around.length - 1]!.ordinal === anchor.ordinal + radius;
    if ((moreBefore || moreAfter) && radius < 64) continue;
    const from = sentences[Math.max(0, first - n)];
    const to = sentences[Math.min(sentences.length - 1, last + n)];
    const start = from ? Math.min(anchor.start, joined.start + trimStart(from)) : anchor.start;
    const end = to ? Math.max(anchor.end, joined.start + trimEnd(to)) : anchor.end;
    return { lo: chunkAt(around, start).ordinal, hi: chunkAt(around, end - 1).ordinal, start, end };
  }
}

function trimStart(s: { text: string; start: number }): number {
  return s.start + (s.text.length - s.text.trimStart().length);
}

function trimEnd(s: { text: string; end: number }): number {
  return s.end - (s.text.length - s.text.trimEnd().length);
}

/** The first chunk holding this offset (or, in a gap between chunks, the next one). */
function chunkAt(chunks: ChunkRecord[], offset: number): ChunkRecord {
  return chunks.find((c) => offset < c.end) ?? chunks[chunks.length - 1]!;
}

function span(joined: ChunkRecord[]): Range {
  return { lo: joined[0]!.ordinal, hi: joined[joined.length - 1]!.ordinal, start: joined[0]!.start, end: Math.max(...joined.map((c) => c.end)) };
}

/**
 * The text of consecutive chunks from the first one's start to the last one's end, each character once:
 * an overlapping chunk adds only what lies past the text so far; a gap (white space the splitter trimmed)
 * becomes as many white-space characters. `spans` are the pieces read from chunks, exact.
 */
export function joinChunks(chunks: ChunkRecord[]): { start: number; end: number; text: string; spans: TextSpan[] } {
  const start = chunks[0]?.start ?? 0;
  let text = '';
  let cursor = start;
  const spans: TextSpan[] = [];
  for (const c of chunks) {
    if (c.end <= cursor) continue;
    if (c.start > cursor) {
      text += gapFill(c.start - cursor);
      cursor = c.start;
      spans.push({ start: cursor, end: cursor, text: '' });
    } else if (spans.length === 0) {
      spans.push({ start: cursor, end: cursor, text: '' });
    }
    const added = c.text.slice(cursor - c.start);
    text += added;
    const last = spans[spans.length - 1]!;
    last.text += added;
    last.end = c.end;
    cursor = c.end;
  }
  return { start, end: cursor, text, spans };
}

/** Stand-in for the white space between two chunks that do not overlap: a space, or line breaks (paragraphs). */
function gapFill(length: number): string {
  return length === 1 ? ' ' : '\n'.repeat(length);
}

async function onlySpaceBetween(chunks: ChunkCache, a: Pick<Expansion, 'documentId' | 'lo' | 'hi' | 'end'>, b: Expansion): Promise<boolean> {
  const joined = joinChunks(await chunks.range(a.documentId, Math.min(a.lo, b.lo), Math.max(a.hi, b.hi)));
  return joined.text.slice(a.end - joined.start, b.start - joined.start).trim() === '';
}

async function buildContext(chunks: ChunkCache, run: Expansion[]): Promise<ContextHit> {
  const best = run.reduce((a, b) => (b.rank < a.rank ? b : a));
  const lo = Math.min(...run.map((e) => e.lo));
  const hi = Math.max(...run.map((e) => e.hi));
  const start = Math.min(...run.map((e) => e.start));
  const end = Math.max(...run.map((e) => e.end));
  const covered = await chunks.range(best.documentId, lo, hi);
  const joined = joinChunks(covered);
  const spans = joined.spans
    .map((s) => ({ start: Math.max(s.start, start), end: Math.min(s.end, end), from: s }))
    .filter((s) => s.end > s.start)
    .map((s) => ({ start: s.start, end: s.end, text: s.from.text.slice(s.start - s.from.start, s.end - s.from.start) }));
  const inSpan = covered.filter((c) => c.end > start && c.start < end);
  const first = inSpan[0] ?? covered[0]!;
  const lastChunk = inSpan[inSpan.length - 1] ?? covered[covered.length - 1]!;
  return {
    ...best.hit,
    text: joined.text.slice(start - joined.start, end - joined.start),
    start,
    end,
    page: first.page,
    endPage: lastChunk.page,
    // A context that crosses sections is cited under what its sections share.
    headingPath: commonPrefix(inSpan.map((c) => c.headingPath)),
    chunkIds: inSpan.map((c) => c.chunkId),
    spans,
    matched: [...run].sort((a, b) => a.rank - b.rank).map((e) => ({ chunkId: e.hit.chunkId, start: e.hit.start, end: e.hit.end, score: e.hit.score })),
  };
}

function commonPrefix(paths: string[][]): string[] {
  if (paths.length === 0) return [];
  const out: string[] = [];
  for (let i = 0; paths.every((p) => i < p.length && p[i] === paths[0]![i]); i++) out.push(paths[0]![i]!);
  return out;
}

interface ChunkCache {
  at(documentId: number, ordinal: number): Promise<ChunkRecord | undefined>;
  range(documentId: number, lo: number, hi: number): Promise<ChunkRecord[]>;
}

/** Chunks read from the store in small ordinal windows, each read once per call. */
function createChunkCache(store: Store): ChunkCache {
  const docs = new Map<number, Map<number, ChunkRecord | null>>();
  const WINDOW = 8;
  const at = async (documentId: number, ordinal: number): Promise<ChunkRecord | undefined> => {
    if (ordinal < 0) return undefined;
    let doc = docs.get(documentId);
    if (!doc) docs.set(documentId, (doc = new Map()));
    if (!doc.has(ordinal)) {
      const fromOrdinal = Math.max(0, ordinal - WINDOW);
      const toOrdinal = ordinal + WINDOW;
      for (let i = fromOrdinal; i <= toOrdinal; i++) if (!doc.has(i)) doc.set(i, null);
      for (const c of await store.documentChunks({ documentId, fromOrdinal, toOrdinal })) doc.set(c.ordinal, c);
    }
    return doc.get(ordinal) ?? undefined;
  };
  return {
    at,
    range: async (documentId, lo, hi) => {
      const out: ChunkRecord[] = [];
      for (let i = lo; i <= hi; i++) {
        const c = await at(documentId, i);
        if (c) out.push(c);
      }
      return out;
    },
  };
}
