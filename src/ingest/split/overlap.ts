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
  const region = text.slice(contentStart, end);
  const tokensFrom = (start: number): number => countTokens(text.slice(start, end));

  const sentenceStarts = segmentSentences(region)
    .map((s) => trimSpan({ text, start: contentStart + s.start, end }).start)
    .filter((p) => p >= minStart && p < end);
  const bySentence = earliestWithin({ starts: sentenceStarts, tokensFrom, limit });
  if (bySentence && bySentence.tokens * 2 >= limit) return bySentence.start;

  const wordStarts = segmentWords(region)
    .map((w) => contentStart + w.start)
    .filter((p) => p >= minStart);
  const byWord = earliestWithin({ starts: wordStarts, tokensFrom, limit });
  return (byWord ?? bySentence)?.start;
}

/**
 * The earliest start whose suffix fits in `limit`. Suffix cost only shrinks as the start moves right, so a
 * binary search needs O(log n) token counts instead of one per candidate.
 */
function earliestWithin({
  starts,
  tokensFrom,
  limit,
}: {
  starts: number[];
  tokensFrom: (start: number) => number;
  limit: number;
}): Candidate | undefined {
  let lo = 0;
  let hi = starts.length; // invariant: starts[hi] fits (or hi is past the end); starts[< lo] do not
  let found: Candidate | undefined;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const start = starts[mid];
    if (start === undefined) break;
    const tokens = tokensFrom(start);
    if (tokens <= limit) {
      found = { start, tokens };
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return found;
}
