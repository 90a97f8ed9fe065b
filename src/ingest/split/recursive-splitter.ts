import type { Splitter } from '../../spec/document.js';
import { countTokens, segmentSentences, segmentWords } from '../../text/index.js';
import { findOverlapStart, type PreviousChunk } from './overlap.js';
import { splitBlocks } from './split-blocks.js';
import { checkSplitOptions } from './split-options.js';
import { trimSpan, type Span, type TextPiece } from './span.js';

export interface SplitTextOptions {
  text: string;
  /** Where `text` starts in the document; added to every offset returned. */
  offset?: number;
  chunkSize: number;
  overlap: number;
  /**
   * Spans, in document offsets like the result, that must not be cut when they fit in one chunk
   * (fenced code blocks): half a code listing is useless to a reader and to a model.
   */
  keepTogether?: Span[];
}

/** A piece that fits the budget (or cannot be made to), with its exact token count. */
interface Unit extends Span {
  tokens: number;
}

interface Context {
  text: string;
  chunkSize: number;
  /** keepTogether spans in local offsets, sorted, only those that fit a chunk. */
  keep: Span[];
}

/**
 * Boundaries from coarsest to finest; a piece too large at one level is cut at the next. Clauses sit
 * between sentences and words: a sentence too long for a chunk reads better cut after a comma than after
 * an arbitrary word, and lower-case text such as "… the wing . an experimental study …" (Cranfield), where
 * the sentence segmenter finds no break, is still cut at its full stops.
 */
const LEVELS = ['paragraph', 'line', 'sentence', 'clause', 'word'] as const;
type Level = (typeof LEVELS)[number];

/** Far above any real text's characters per token (English ≈ 4–5, Chinese ≈ 1). */
const MAX_CHARS_PER_TOKEN = 32;

const BLANK_LINE = /\n[ \t\r\f\v]*\n/g;
// Western punctuation counts only before white space (not "3.14" or "a,b"); CJK punctuation needs none.
const CLAUSE_END = /[,;:.!?…]+["'”’)\]]*\s+|[，；：。！？…]+[”’」』）]*/g;

/**
 * Splits text into chunks of at most `chunkSize` tokens. Each piece too large is cut at the coarsest
 * boundary that exists in it (blank lines, then line breaks, then sentence ends including 。！？, then
 * clause punctuation such as , ; ，；, then word starts, Chinese words as the dictionary segmenter sees them), and hard-cut only when it is a single
 * oversized word or symbol run. The pieces are then packed greedily, each chunk after the first starting
 * with up to `overlap` tokens repeated from the end of the previous one.
 *
 * Chunk text is always `text.slice(start - offset, end - offset)`: white space is trimmed by moving the
 * offsets. A chunk exceeds `chunkSize` only when it is one Chinese (dictionary) word larger than that.
 */
export function splitText({ text, offset = 0, chunkSize, overlap, keepTogether = [] }: SplitTextOptions): TextPiece[] {
  checkSplitOptions({ chunkSize, overlap });
  const keep = keepTogether
    .map((k) => ({ start: Math.max(0, k.start - offset), end: Math.min(text.length, k.end - offset) }))
    .filter((k) => k.start < k.end && countTokens(text.slice(k.start, k.end)) <= chunkSize)
    .sort((a, b) => a.start - b.start);
  const ctx: Context = { text, chunkSize, keep };
  const units: Unit[] = [];
  decompose(ctx, { start: 0, end: text.length }, 0, units);
  return packUnits(ctx, units, overlap).map((u) => ({
    text: text.slice(u.start, u.end),
    start: offset + u.start,
    end: offset + u.end,
    tokenCount: u.tokens,
  }));
}

/** Splits whole documents (respecting blocks) with `splitText`; used for everything that is not Markdown. */
export const recursiveSplitter: Splitter = {
  name: 'recursive',
  split(doc, { chunkSize, overlap }) {
    return splitBlocks({
      doc,
      chunkSize,
      overlap,
      splitRange: ({ start, end }) => splitText({ text: doc.text.slice(start, end), offset: start, chunkSize, overlap }),
    });
  },
};

function decompose(ctx: Context, span: Span, level: number, out: Unit[]): void {
  const { start, end } = trimSpan({ text: ctx.text, ...span });
  if (start >= end) return;
  // Counting a whole book only to learn that it must be split costs as much as splitting it, so spans far
  // longer than any chunk could be skip the count. (If one did fit, its pieces are packed back together.)
  if (end - start <= ctx.chunkSize * MAX_CHARS_PER_TOKEN) {
    const tokens = countTokens(ctx.text.slice(start, end));
    if (tokens <= ctx.chunkSize) {
      out.push({ start, end, tokens });
      return;
    }
  }
  for (let l = level; l < LEVELS.length; l++) {
    const kind = LEVELS[l];
    if (kind === undefined) break;
    const cuts = cutPoints(ctx, kind, start, end);
    if (cuts.length === 0) continue;
    let from = start;
    for (const cut of [...cuts, end]) {
      decompose(ctx, { start: from, end: cut }, l + 1, out);
      from = cut;
    }
    return;
  }
  hardCut(ctx, start, end, out);
}

/** Positions strictly inside (start, end) where a piece may begin, at the given level. */
function cutPoints(ctx: Context, kind: Level, start: number, end: number): number[] {
  // Work on the slice so that scans stop at `end` instead of running on to the end of a long text.
  const piece = ctx.text.slice(start, end);
  const raw: number[] = [];
  switch (kind) {
    case 'paragraph':
      for (const m of piece.matchAll(BLANK_LINE)) raw.push(start + (m.index ?? 0) + m[0].length);
      break;
    case 'line':
      for (let i = piece.indexOf('\n'); i >= 0; i = piece.indexOf('\n', i + 1)) raw.push(start + i + 1);
      break;
    case 'sentence':
      for (const s of segmentSentences(piece)) raw.push(start + s.start);
      break;
    case 'clause':
      for (const m of piece.matchAll(CLAUSE_END)) raw.push(start + (m.index ?? 0) + m[0].length);
      break;
    case 'word':
      // A piece starts at a word and carries the punctuation after it, so Chinese words stay whole.
      for (const w of segmentWords(piece)) raw.push(start + w.start);
      break;
  }
  // Code blocks become pieces of their own, so that they can stay whole.
  for (const k of ctx.keep) {
    if (k.end <= start) continue;
    if (k.start >= end) break;
    raw.push(k.start, k.end);
  }
  const cuts = raw.filter((p) => p > start && p < end && !insideKeep(ctx.keep, p)).sort((a, b) => a - b);
  return cuts.filter((p, i) => i === 0 || p !== cuts[i - 1]);
}

function insideKeep(keep: Span[], p: number): boolean {
  let lo = 0;
  let hi = keep.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const k = keep[mid];
    if (k === undefined) break;
    if (k.end <= p) lo = mid + 1;
    else if (k.start >= p) hi = mid;
    else return true;
  }
  return false;
}

/**
 * Last resort for a single unit larger than the budget (a URL-like token thousands of characters long, a
 * row of dashes): cut it into the longest pieces that fit, at code-point boundaries, never inside a Chinese
 * dictionary word or a code block that fits. A dictionary word that alone exceeds the budget stays whole.
 */
function hardCut(ctx: Context, start: number, end: number, out: Unit[]): void {
  const { text, chunkSize } = ctx;
  const blocked = new Uint8Array(end - start + 1);
  const block = (from: number, to: number): void => {
    for (let p = Math.max(from, start + 1); p < Math.min(to, end); p++) blocked[p - start] = 1;
  };
  for (const w of segmentWords(text.slice(start, end))) if (w.dictionary) block(start + w.start + 1, start + w.end);
  for (const k of ctx.keep) block(k.start + 1, k.end);
  const cuts: number[] = [];
  for (let p = start + 1; p <= end; p++) {
    const isLowSurrogate = (text.charCodeAt(p) & 0xfc00) === 0xdc00 && (text.charCodeAt(p - 1) & 0xfc00) === 0xd800;
    if (!blocked[p - start] && !(p < end && isLowSurrogate)) cuts.push(p);
  }

  let from = start;
  let idx = 0;
  while (from < end) {
    from = trimSpan({ text, start: from, end }).start;
    if (from >= end) break;
    while ((cuts[idx] ?? end) <= from) idx++;
    const fits = (j: number): boolean => countTokens(text.slice(from, cuts[j] ?? end)) <= chunkSize;
    let best = idx; // when nothing fits, the first atom goes alone, oversized
    if (fits(idx)) {
      // Gallop then bisect: the fitting prefix is short compared with what may remain of a huge token.
      let lo = idx;
      let hi = cuts.length;
      for (let step = 1; lo + step < cuts.length; step *= 2) {
        if (fits(lo + step)) lo += step;
        else {
          hi = lo + step;
          break;
        }
      }
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (fits(mid)) lo = mid;
        else hi = mid;
      }
      best = lo;
    }
    const to = cuts[best] ?? end;
    const piece = trimSpan({ text, start: from, end: to });
    if (piece.start < piece.end) {
      out.push({ ...piece, tokens: countTokens(text.slice(piece.start, piece.end)) });
    }
    from = to;
  }
}

/**
 * Greedy packing. Later chunks reserve `overlap` tokens for the repeated context, then the reserve is
 * filled with the previous chunk's tail. Unit counts are summed as an estimate (a joined text costs at most
 * the sum of its parts), then the exact count of the joined text decides, so no chunk exceeds the budget.
 */
function packUnits(ctx: Context, units: Unit[], overlap: number): Unit[] {
  const { text, chunkSize } = ctx;
  const count = (start: number, end: number): number => countTokens(text.slice(start, end));
  const chunks: Unit[] = [];
  let previous: PreviousChunk | undefined;
  let i = 0;
  while (i < units.length) {
    const first = units[i];
    if (first === undefined) break;
    const budget = previous && overlap > 0 ? chunkSize - overlap : chunkSize;
    let j = i + 1;
    let tokens = first.tokens;
    // Extend by the summed estimate, then confirm with one exact count; repeat from the exact count while
    // the next unit might still fit (the estimate over-counts punctuation a little).
    for (;;) {
      let k = j;
      let estimate = tokens;
      for (let u = units[k]; u !== undefined && estimate + u.tokens <= budget; u = units[k]) {
        estimate += u.tokens;
        k++;
      }
      if (k === j) break;
      let exact = count(first.start, units[k - 1]?.end ?? first.end);
      // Rarely the joined text costs more than its parts (a re-segmented Chinese run): back off.
      while (exact > budget && k > j + 1) {
        k--;
        exact = count(first.start, units[k - 1]?.end ?? first.end);
      }
      if (exact > budget) break;
      j = k;
      tokens = exact;
    }

    const end = units[j - 1]?.end ?? first.end;
    let start = first.start;
    if (previous && overlap > 0) {
      const limit = Math.min(overlap, chunkSize - tokens);
      const overlapStart = findOverlapStart({ text, previous, limit });
      if (overlapStart !== undefined) {
        const total = count(overlapStart, end);
        if (total <= chunkSize) {
          start = overlapStart;
          tokens = total;
        }
      }
    }
    chunks.push({ start, end, tokens });
    previous = { start, contentStart: first.start, end };
    i = j;
  }
  return chunks;
}
