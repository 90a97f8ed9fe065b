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

/** Same set as `\s` (what countTokens treats as free), with an ASCII fast path: trimming runs per piece. */
function isWhitespace(code: number): boolean {
  if (code < 128) return code === 32 || (code >= 9 && code <= 13);
  return WHITESPACE.test(String.fromCharCode(code));
}

/**
 * Narrows [start, end) past leading and trailing white space. Splitters trim by moving offsets, never by
 * editing text, so that `text.slice(start, end)` stays exactly the chunk a citation shows.
 */
export function trimSpan({ text, start, end }: { text: string } & Span): Span {
  let s = start;
  let e = end;
  while (s < e && isWhitespace(text.charCodeAt(s))) s++;
  while (e > s && isWhitespace(text.charCodeAt(e - 1))) e--;
  return { start: s, end: e };
}
