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
  for (let i = sectionIndexAt(outline.sections, start); i < outline.sections.length; i++) {
    const section = outline.sections[i];
    if (!section || section.start >= end) break;
    const s = Math.max(section.start, start);
    const e = Math.min(section.end, end);
    if (s >= e) continue;
    const keepTogether = outline.fences
      .filter((f) => f.start < e && f.end > s)
      .map((f) => ({ start: Math.max(f.start, s), end: Math.min(f.end, e) }));
    for (const piece of splitText({ text: text.slice(s, e), offset: s, chunkSize, overlap, keepTogether })) {
      pieces.push({ ...piece, headingPath: [...section.headingPath] });
    }
  }
  return pieces;
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
