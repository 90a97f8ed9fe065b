import { createHash } from 'node:crypto';
import type { Chunk, LoadedDocument } from '../spec/document.js';
import type { ChunkInput } from '../spec/store.js';
import { analyze } from '../text/analyze.js';
import { splitDocument } from './split/split-document.js';

/** What one thread does with (part of) a document: split it, then analyse every chunk for the keyword index. */
export interface ChunkWork {
  doc: LoadedDocument;
  chunkSize: number;
  overlap: number;
}

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The text the keyword index sees for a chunk: its own text plus the headings (and title) above it. */
export function keywordSource(doc: LoadedDocument, chunk: Chunk): string {
  // A passage under "## Warranty" is about warranties even if the word is not repeated. Records (CSV
  // rows, JSON objects) are units of their own, so the file's title is not added to them.
  const isRecords = doc.blocks?.some((b) => b.page === undefined) ?? false;
  // Each heading counts once: not again when it is the title, nor when the chunk already starts with it.
  const context = [...new Set([...(isRecords || !doc.title ? [] : [doc.title]), ...chunk.headingPath])].filter(
    (heading) => heading && !chunk.text.includes(heading),
  );
  return context.length > 0 ? `${context.join('\n')}\n${chunk.text}` : chunk.text;
}

/** Splits and analyses on the calling thread. Ordinals start at 0 for the blocks given. */
export function buildChunksHere(work: ChunkWork): ChunkInput[] {
  return splitDocument({ doc: work.doc, chunkSize: work.chunkSize, overlap: work.overlap }).map((chunk) => {
    const terms = analyze(keywordSource(work.doc, chunk));
    return { ...chunk, contentHash: sha256(chunk.text), keywordText: terms.join(' '), termCount: terms.length };
  });
}
