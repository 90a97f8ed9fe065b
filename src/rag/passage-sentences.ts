import { segmentSentences } from '../text/sentences.js';

/** A Markdown heading line. */
export const HEADING_LINE = /^#{1,6}(?:\s|$)/;
/** Text with at least one letter or digit. */
export const HAS_CONTENT = /[\p{L}\p{N}]/u;
/** Characters that end a sentence, possibly followed by closing quotes or brackets. */
const SENTENCE_END = /[.!?。！？…][\p{Pe}\p{Pf}"'」』]*$/u;
/** A line that starts a new block and so is never the continuation of the line before. */
const BLOCK_START = /^(?:#{1,6}\s|[-*+]\s|\d+[.)]\s|\||>|```)/;

export interface Span {
  start: number;
  end: number;
}

/**
 * The sentences of a chunk's text as offsets into it, white space trimmed: soft-wrapped lines joined
 * (a sentence that stops at a line break without ending punctuation continues on the next line, unless
 * that line starts a block of its own), headings and empty lines left out. Shared by the extractive
 * answer, which quotes these sentences, and the citation check, which looks for a claim's support among
 * them, so that both read a chunk the same way.
 */
export function passageSentenceSpans(text: string): Span[] {
  const spans: Span[] = [];
  let open: Span | undefined;
  for (const s of segmentSentences(text)) {
    if (open) {
      open.end = s.end;
    } else {
      open = { start: s.start, end: s.end };
    }
    const body = text.slice(open.start, open.end);
    const next = text.slice(open.end, open.end + 12);
    const softWrap = /[^\n]\n[ \t]*$/.test(body) && !SENTENCE_END.test(body.trimEnd()) && !HEADING_LINE.test(body.trimStart()) && next.trim() !== '' && !BLOCK_START.test(next.trimStart());
    if (!softWrap) {
      spans.push(open);
      open = undefined;
    }
  }
  if (open) spans.push(open);

  const out: Span[] = [];
  for (const span of spans) {
    const trimmed = trimSpan(text, span.start, span.end);
    if (!trimmed) continue;
    const body = text.slice(trimmed.start, trimmed.end);
    if (HEADING_LINE.test(body) || !HAS_CONTENT.test(body)) continue;
    out.push(trimmed);
  }
  return out;
}

export function trimSpan(text: string, start: number, end: number): Span | undefined {
  while (start < end && /\s/.test(text[start]!)) start++;
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  return end > start ? { start, end } : undefined;
}
