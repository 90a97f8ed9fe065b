import type { SearchHit } from '../spec/store.js';

/** A piece of a document's text: exactly `documentText.slice(start, end)`. */
export interface TextSpan {
  start: number;
  end: number;
  text: string;
}

/**
 * A hit after the context steps (expansion, compression): still a `SearchHit`, so everything that takes
 * hits takes these, with `text`, `start`, `end`, `page` and `headingPath` describing the context handed
 * back rather than the chunk that matched. `chunkId`, `ordinal`, `score` and `scores` stay the matching
 * chunk's, so the hit can still be traced to why it ranked.
 */
export interface ContextHit extends SearchHit {
  /** The chunks the text is drawn from, in document order. */
  chunkIds: number[];
  /**
   * The exact pieces of the document the text is made of, in order; `text` is these joined (by the
   * white space between them after expansion, by `SPAN_SEPARATOR` after compression).
   */
  spans: TextSpan[];
  /** The page the context ends on (`page` is where it starts). */
  endPage: number | null;
  /** The retrieved chunks this context contains, best first (more than one when expansions merged). */
  matched: Array<{ chunkId: number; start: number; end: number; score: number }>;
}

/** Between kept pieces that are not next to each other in the document. */
export const SPAN_SEPARATOR = ' … ';

/** A plain hit as a context hit: its own chunk, one span. Context hits pass through unchanged. */
export function toContextHit(hit: SearchHit): ContextHit {
  if (isContextHit(hit)) return hit;
  return {
    ...hit,
    chunkIds: [hit.chunkId],
    spans: [{ start: hit.start, end: hit.end, text: hit.text }],
    endPage: hit.page,
    matched: [{ chunkId: hit.chunkId, start: hit.start, end: hit.end, score: hit.score }],
  };
}

export function isContextHit(hit: SearchHit): hit is ContextHit {
  return Array.isArray((hit as Partial<ContextHit>).spans) && Array.isArray((hit as Partial<ContextHit>).chunkIds);
}
