import type { Chunk, LoadedDocument, Metadata, SplitOptions, TextBlock } from '../../spec/document.js';
import { countTokens } from '../../text/index.js';
import { checkSplitOptions } from './split-options.js';
import { trimSpan, type Span, type TextPiece } from './span.js';

/** A piece from a range splitter; Markdown pieces know their heading path. */
export interface RangePiece extends TextPiece {
  headingPath?: string[];
}

export interface SplitBlocksOptions extends SplitOptions {
  doc: LoadedDocument;
  /** Splits one flow of text, [start, end) of `doc.text`, into pieces of at most `chunkSize` tokens. */
  splitRange: (range: Span) => RangePiece[];
  /** Heading path at an offset, for a record kept whole; none by default. */
  headingPathAt?: (offset: number) => string[];
}

/**
 * Turns a document into chunks, treating its blocks as hard boundaries: a chunk never spans two PDF pages
 * or two records, because a citation must point to one page or one record. Each block is split on its own
 * and its chunks inherit its page and a copy of its metadata. A record (a block without a page: a CSV row,
 * a JSON record) that fits the budget is one chunk even when a splitter would cut it further, since it is
 * the unit a citation names. Text between blocks (separators the loader added) is not chunked.
 */
export function splitBlocks({ doc, chunkSize, overlap, splitRange, headingPathAt = () => [] }: SplitBlocksOptions): Chunk[] {
  checkSplitOptions({ chunkSize, overlap });
  const chunks: Chunk[] = [];
  const push = (piece: RangePiece, block?: TextBlock): void => {
    chunks.push({
      ordinal: chunks.length,
      text: piece.text,
      start: piece.start,
      end: piece.end,
      ...(block?.page !== undefined ? { page: block.page } : {}),
      headingPath: piece.headingPath ?? headingPathAt(piece.start),
      tokenCount: piece.tokenCount,
      metadata: copyMetadata(block?.metadata),
    });
  };

  const blocks = doc.blocks ?? [];
  if (blocks.length === 0) {
    for (const piece of splitRange({ start: 0, end: doc.text.length })) push(piece);
    return chunks;
  }
  // Loaders emit blocks in order; sorting is cheap insurance that ordinals follow the text.
  for (const block of [...blocks].sort((a, b) => a.start - b.start)) {
    const range = { start: Math.max(0, block.start), end: Math.min(doc.text.length, block.end) };
    if (range.start >= range.end) continue;
    if (block.page === undefined) {
      const { start, end } = trimSpan({ text: doc.text, ...range });
      if (start >= end) continue;
      const text = doc.text.slice(start, end);
      const tokenCount = countTokens(text);
      if (tokenCount <= chunkSize) {
        push({ text, start, end, tokenCount }, block);
        continue;
      }
    }
    for (const piece of splitRange(range)) push(piece, block);
  }
  return chunks;
}

/** Each chunk gets its own copy, arrays included, so editing one chunk's metadata cannot change another's. */
function copyMetadata(metadata: Metadata | undefined): Metadata {
  const copy: Metadata = {};
  for (const [key, value] of Object.entries(metadata ?? {})) copy[key] = Array.isArray(value) ? [...value] : value;
  return copy;
}
