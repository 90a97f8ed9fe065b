import { expect } from 'vitest';
import type { Chunk, LoadedDocument } from '../../../spec/document.js';
import { countTokens, segmentWords } from '../../../text/index.js';

export function makeDoc(text: string, extra: Partial<LoadedDocument> = {}): LoadedDocument {
  return { source: '/tmp/test.txt', mimeType: 'text/plain', text, metadata: {}, warnings: [], ...extra };
}

/** True when the text is one Chinese/Japanese dictionary word: the only thing allowed to exceed the budget. */
export function isSingleDictionaryWord(text: string): boolean {
  const words = segmentWords(text);
  return words.length === 1 && words[0]?.dictionary === true;
}

export interface InvariantReport {
  /** Consecutive chunks in the same flow (block) whose spans overlap. */
  overlappingPairs: number;
  /** Consecutive chunks in the same flow. */
  pairs: number;
}

/**
 * The properties every chunk list must have, whatever the splitter: exact offsets, exact token counts,
 * size bound, sequential ordinals, no empty or untrimmed chunks, full coverage of non-space text, chunks
 * inside one block, and overlaps that are real suffixes of at most `overlap` tokens.
 */
export function expectChunkInvariants({
  doc,
  chunks,
  chunkSize,
  overlap,
}: {
  doc: LoadedDocument;
  chunks: Chunk[];
  chunkSize: number;
  overlap: number;
}): InvariantReport {
  const { text } = doc;
  const blocks = doc.blocks?.length ? doc.blocks : [{ start: 0, end: text.length }];
  const blockOf = (c: Chunk): number => blocks.findIndex((b) => b.start <= c.start && c.end <= b.end);
  const problems: string[] = [];
  const report: InvariantReport = { overlappingPairs: 0, pairs: 0 };

  chunks.forEach((c, i) => {
    const where = `chunk ${i} [${c.start}, ${c.end}) ${JSON.stringify(c.text.slice(0, 40))}`;
    if (c.ordinal !== i) problems.push(`${where}: ordinal ${c.ordinal}`);
    if (text.slice(c.start, c.end) !== c.text) problems.push(`${where}: text is not doc.text.slice(start, end)`);
    if (c.text.length === 0 || c.text.trim() !== c.text) problems.push(`${where}: empty or untrimmed`);
    if (c.tokenCount !== countTokens(c.text)) problems.push(`${where}: tokenCount ${c.tokenCount} ≠ ${countTokens(c.text)}`);
    if (c.tokenCount > chunkSize && !isSingleDictionaryWord(c.text)) problems.push(`${where}: ${c.tokenCount} tokens > ${chunkSize}`);
    if (blockOf(c) < 0) problems.push(`${where}: crosses a block boundary`);

    const prev = chunks[i - 1];
    if (prev && blockOf(prev) === blockOf(c)) {
      report.pairs++;
      if (c.start <= prev.start || c.end <= prev.end) problems.push(`${where}: does not advance past chunk ${i - 1}`);
      if (c.start < prev.end) {
        report.overlappingPairs++;
        const repeated = countTokens(text.slice(c.start, prev.end));
        if (repeated > overlap) problems.push(`${where}: overlap of ${repeated} tokens > ${overlap}`);
      }
    }
  });

  const covered = new Uint8Array(text.length);
  for (const c of chunks) covered.fill(1, c.start, c.end);
  for (const b of blocks) {
    for (let p = b.start; p < b.end; p++) {
      if (!covered[p] && !/\s/u.test(text[p] ?? '')) {
        problems.push(`offset ${p} (${JSON.stringify(text.slice(p, p + 20))}) is in no chunk`);
        break;
      }
    }
  }
  expect(problems).toEqual([]);
  return report;
}
