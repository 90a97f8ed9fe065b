import { analyze } from '../../text/analyze.js';
import { normalizeText } from '../../text/normalize.js';
import type { SourceContext } from './test-set.js';

/** A retrieved passage as the evaluation keeps it. */
export interface RetrievedContext {
  chunkId: number;
  documentId: number;
  source: string;
  title: string | null;
  text: string;
  score: number;
}

/** Share of a source passage's terms a retrieved one must hold to count as the same passage (re-chunked). */
const SAME_PASSAGE = 0.6;

const compact = (text: string) => normalizeText(text).replace(/\s+/g, '');

/**
 * Whether a retrieved chunk is one of the item's source passages: the same chunk id, or one text contains
 * the other (white space and case aside), or it holds most of the source's terms (the corpus was split
 * differently since the test set was made).
 */
export function isSourceContext(retrieved: RetrievedContext, source: SourceContext): boolean {
  if (source.chunkId !== undefined && source.chunkId === retrieved.chunkId) return true;
  const a = compact(retrieved.text);
  const b = compact(source.text);
  if (!a || !b) return false;
  if (a.includes(b) || b.includes(a)) return true;
  return termCoverage({ of: source.text, in: retrieved.text }) >= SAME_PASSAGE;
}

/** Share of the distinct analysed terms of `of` found in `in` (Chinese terms also as substrings). */
export function termCoverage(o: { of: string; in: string }): number {
  const terms = [...new Set(analyze(o.of))];
  if (terms.length === 0) return 0;
  const bag = new Set(analyze(o.in));
  const text = compact(o.in);
  return terms.filter((t) => bag.has(t) || (/\p{Script=Han}/u.test(t) && text.includes(t))).length / terms.length;
}
