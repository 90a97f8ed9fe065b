import type { SplitOptions, Splitter } from '../../spec/document.js';
import { headingPathAt, parseMarkdownOutline, sectionIndexAt, type MarkdownOutline } from './markdown-outline.js';
import { splitText } from './recursive-splitter.js';
import { splitBlocks, type RangePiece } from './split-blocks.js';
import type { Span } from './span.js';

export interface SplitMarkdownRangeOptions extends Span, SplitOptions {
  /** The whole document text (the outline's offsets point into it). */
  text: string;
  outline: MarkdownOutline;
}

/**
 * Splits [start, end) of a Markdown text section by section. A chunk never spans two headings, so its
 * heading path is exact; each section starts with its heading line, so its first chunk reads naturally.
 * Fenced code blocks are kept whole when they fit in a chunk.
 */
export function splitMarkdownRange({ text, outline, start, end, chunkSize, overlap }: SplitMarkdownRangeOptions): RangePiece[] {
  const pieces: RangePiece[] = [];
  // A heading with nothing under it but another heading ("# Guide" then "## Gearbox") would otherwise be a
  // chunk of its own, holding only the title: it joins the next section's first chunk instead.
  let pendingStart: number | undefined;
  for (let i = sectionIndexAt(outline.sections, start); i < outline.sections.length; i++) {
    const section = outline.sections[i];
    if (!section || section.start >= end) break;
    const s = Math.max(pendingStart ?? section.start, start);
    const e = Math.min(section.end, end);
    if (s >= e) continue;
    const next = outline.sections[i + 1];
    if (isHeadingOnly(text, section.start, e) && next && next.start < end && next.level > section.level) {
      pendingStart ??= s;
      continue;
    }
    pendingStart = undefined;
    const keepTogether = outline.fences
      .filter((f) => f.start < e && f.end > s)
      .map((f) => ({ start: Math.max(f.start, s), end: Math.min(f.end, e) }));
    for (const piece of splitText({ text: text.slice(s, e), offset: s, chunkSize, overlap, keepTogether })) {
      pieces.push({ ...piece, headingPath: [...section.headingPath] });
    }
  }
  return pieces;
}

/** True when [start, end) is a heading line followed by nothing but white space. */
function isHeadingOnly(text: string, start: number, end: number): boolean {
  if (text[start] !== '#') return false;
  const newline = text.indexOf('\n', start);
  return newline < 0 || newline >= end || text.slice(newline, end).trim() === '';
}

/** Splits Markdown documents along their headings; every chunk carries the headings above it. */
export const markdownSplitter: Splitter = {
  name: 'markdown',
  split(doc, { chunkSize, overlap }) {
    const outline = parseMarkdownOutline({ text: doc.text });
    return splitBlocks({
      doc,
      chunkSize,
      overlap,
      splitRange: ({ start, end }) => splitMarkdownRange({ text: doc.text, outline, start, end, chunkSize, overlap }),
      headingPathAt: (offset) => headingPathAt({ outline, offset }),
    });
  },
};
