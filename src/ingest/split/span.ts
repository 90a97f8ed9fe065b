/** A half-open range [start, end) of UTF-16 code units. */
export interface Span {
  start: number;
  end: number;
}

/** A piece of text cut from a larger text, with its offsets there and its size in tokens. */
export interface TextPiece extends Span {
  text: string;
  tokenCount: number;
}

const WHITESPACE = /\s/u;

/**
 * Narrows [start, end) past leading and trailing white space. Splitters trim by moving offsets, never by
 * editing text, so that `text.slice(start, end)` stays exactly the chunk a citation shows.
 */
export function trimSpan({ text, start, end }: { text: string } & Span): Span {
  let s = start;
  let e = end;
  while (s < e && WHITESPACE.test(text[s] ?? '')) s++;
  while (e > s && WHITESPACE.test(text[e - 1] ?? '')) e--;
  return { start: s, end: e };
}
