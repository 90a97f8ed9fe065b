import { countTokens, segmentSentences, segmentWords } from '../../text/index.js';
import { trimSpan } from './span.js';

/** The chunk just emitted: where it starts, where its own (non-repeated) text starts, where it ends. */
export interface PreviousChunk {
  start: number;
  contentStart: number;
  end: number;
}

interface Candidate {
  start: number;
  tokens: number;
}

/**
 * Where the trailing context repeated from `previous` should start: the longest suffix of the previous
 * chunk's own text that costs at most `limit` tokens and starts at a sentence or word boundary (so Chinese
 * words are never cut). Whole sentences read better, so they win unless they would use less than half the
 * allowance (one short sentence such as "Yes." is not useful context); then the suffix starts at a word.
 * Returns undefined when not even the last word fits.
 */
export function findOverlapStart({
  text,
  previous,
  limit,
}: {
  text: string;
  previous: PreviousChunk;
  limit: number;
}): number | undefined {
  if (limit <= 0) return undefined;
  const { contentStart, end } = previous;
  // Never repeat the whole previous chunk: a chunk that contains its predecessor adds nothing.
  const minStart = previous.start + 1;
  const tokensFrom = (start: number): number => countTokens(text.slice(start, end));

  // Only the tail can fit in `limit` tokens (no token is longer than ~9 characters), so only the tail is
  // segmented: segmenting every whole chunk again made overlap the costliest step of splitting Chinese.
  const windowStart = Math.max(contentStart, end - limit * 12);
  // A window that starts inside the chunk starts at an arbitrary character, not at a boundary.
  const isBoundary = (offset: number): boolean => offset > 0 || windowStart === contentStart;
  const sentenceStarts = segmentSentences(text.slice(windowStart, end))
    .filter((s) => isBoundary(s.start))
    .map((s) => trimSpan({ text, start: windowStart + s.start, end }).start)
    .filter((p) => p >= minStart && p < end);
  const bySentence = earliestWithin({ starts: sentenceStarts, tokensFrom, limit });
  if (bySentence.fit && bySentence.fit.tokens * 2 >= limit) return bySentence.fit.start;

  // Word starts are only needed after the last sentence start that was too far back.
  const from = Math.max(bySentence.tooFar ?? contentStart, windowStart);
  const wordStarts = segmentWords(text.slice(from, end))
    .filter((w) => from > windowStart || isBoundary(w.start))
    .map((w) => from + w.start)
    .filter((p) => p >= minStart)
    .slice(-limit); // every word costs at least one token
  const byWord = earliestWithin({ starts: wordStarts, tokensFrom, limit });
  return (byWord.fit ?? bySentence.fit)?.start;
}

/**
 * The earliest start whose suffix fits in `limit`, and the latest one that does not. Suffix cost only
 * shrinks as the start moves right, so the search gallops back from the end (probing suffixes at most
 * about twice the limit, never the whole chunk) and then bisects.
 */
function earliestWithin({
  starts,
  tokensFrom,
  limit,
}: {
  starts: number[];
  tokensFrom: (start: number) => number;
  limit: number;
}): { fit?: Candidate; tooFar?: number } {
  let fit: Candidate | undefined;
  let fitIndex = starts.length;
  let badIndex = -1;
  const probe = (i: number): boolean => {
    const start = starts[i];
    if (start === undefined) return false;
    const tokens = tokensFrom(start);
    if (tokens > limit) {
      badIndex = i;
      return false;
    }
    fit = { start, tokens };
    fitIndex = i;
    return true;
  };
  for (let step = 1; fitIndex > 0; step *= 2) {
    if (!probe(Math.max(0, fitIndex - step))) break;
  }
  while (fitIndex - badIndex > 1) probe((fitIndex + badIndex) >> 1);
  return { ...(fit ? { fit } : {}), ...(badIndex >= 0 ? { tooFar: starts[badIndex] } : {}) };
}
