import type { Chunk, LoadedDocument } from '../../spec/document.js';
import { markdownSplitter } from './markdown-splitter.js';
import { recursiveSplitter } from './recursive-splitter.js';
import { DEFAULT_SPLIT_OPTIONS } from './split-options.js';

export interface SplitDocumentOptions {
  doc: LoadedDocument;
  /** Tokens per chunk at most; 400 by default. */
  chunkSize?: number;
  /** Tokens repeated from the previous chunk; 40 by default, 0 disables. */
  overlap?: number;
}

/**
 * Splits a loaded document into chunks numbered 0…n-1: along headings when it is Markdown, by paragraphs,
 * lines, sentences and words otherwise. Blocks (pages, records) are never crossed; see `splitBlocks`.
 */
export function splitDocument({
  doc,
  chunkSize = DEFAULT_SPLIT_OPTIONS.chunkSize,
  overlap = DEFAULT_SPLIT_OPTIONS.overlap,
}: SplitDocumentOptions): Chunk[] {
  const splitter = doc.markdown ? markdownSplitter : recursiveSplitter;
  return splitter.split(doc, { chunkSize, overlap });
}
