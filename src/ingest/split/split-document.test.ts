import { describe, expect, it } from 'vitest';
import type { LoadedDocument, TextBlock } from '../../spec/document.js';
import { countTokens } from '../../text/index.js';
import { expectChunkInvariants, makeDoc } from './test-support/chunk-invariants.js';
import { CHINESE_PASSAGE, ENGLISH_PASSAGE } from './test-support/texts.js';
import { DEFAULT_SPLIT_OPTIONS } from './split-options.js';
import { splitDocument } from './split-document.js';

type Part = { text: string; block: Omit<TextBlock, 'start' | 'end'> };

/** Joins parts with a separator the way loaders do, recording one block per part. */
function withBlocks(parts: Part[], separator: string) {
  let text = '';
  const blocks: TextBlock[] = [];
  for (const [i, part] of parts.entries()) {
    if (i > 0) text += separator;
    blocks.push({ ...part.block, start: text.length, end: text.length + part.text.length });
    text += part.text;
  }
  return { text, blocks };
}

function split(doc: LoadedDocument, chunkSize: number, overlap: number) {
  const chunks = splitDocument({ doc, chunkSize, overlap });
  expectChunkInvariants({ doc, chunks, chunkSize, overlap });
  return chunks;
}

describe('splitDocument', () => {
  it('uses 400/40 by default', () => {
    expect(DEFAULT_SPLIT_OPTIONS).toEqual({ chunkSize: 400, overlap: 40 });
    const text = Array.from({ length: 6 }, () => ENGLISH_PASSAGE).join('\n\n');
    const doc = makeDoc(text);
    const chunks = splitDocument({ doc });
    expectChunkInvariants({ doc, chunks, chunkSize: 400, overlap: 40 });
    expect(Math.max(...chunks.map((c) => c.tokenCount))).toBeGreaterThan(350);
  });

  it('returns [] for empty text, with or without blocks', () => {
    expect(splitDocument({ doc: makeDoc('') })).toEqual([]);
    expect(splitDocument({ doc: makeDoc('', { blocks: [{ start: 0, end: 0, page: 1 }] }) })).toEqual([]);
  });

  it('chooses the Markdown splitter only for Markdown documents', () => {
    const text = '# Title\n\nBody text.';
    expect(splitDocument({ doc: makeDoc(text, { markdown: true }) }).map((c) => c.headingPath)).toEqual([['Title']]);
    expect(splitDocument({ doc: makeDoc(text) })).toMatchObject([{ headingPath: [], text, metadata: {} }]);
  });

  it('splits pages separately: right page numbers, no chunk across pages, separators not chunked', () => {
    const pages = [ENGLISH_PASSAGE, CHINESE_PASSAGE, 'A short last page.'];
    const { text, blocks } = withBlocks(
      pages.map((t, i) => ({ text: t, block: { page: i + 1 } })),
      '\n\n=== PAGE BREAK ===\n\n',
    );
    const doc = makeDoc(text, { blocks, mimeType: 'application/pdf' });
    const chunks = split(doc, 80, 10);
    expect(chunks.some((c) => c.text.includes('PAGE BREAK'))).toBe(false);
    for (const c of chunks) {
      const block = blocks[(c.page ?? 0) - 1];
      expect(block).toBeDefined();
      expect(c.start).toBeGreaterThanOrEqual(block?.start ?? -1);
      expect(c.end).toBeLessThanOrEqual(block?.end ?? -1);
    }
    expect(new Set(chunks.map((c) => c.page))).toEqual(new Set([1, 2, 3]));
    // The short last page is not merged with the end of page 2.
    expect(chunks.at(-1)).toMatchObject({ page: 3, text: 'A short last page.' });
  });

  it('continues Markdown heading paths across pages', () => {
    const { text, blocks } = withBlocks(
      [
        { text: '# Manual\n\n## Safety\n\nWear gloves.', block: { page: 1 } },
        { text: 'Keep the area clear.\n\n## Repair\n\nOpen the hatch.', block: { page: 2 } },
        { text: 'Close the hatch.', block: { page: 3 } },
      ],
      '\n\f',
    );
    const chunks = split(makeDoc(text, { blocks, markdown: true }), 100, 10);
    expect(chunks.map((c) => [c.page, c.headingPath.join(' > '), c.text])).toEqual([
      // The title has no text of its own, so it opens the first section's chunk instead of being a chunk.
      [1, 'Manual > Safety', '# Manual\n\n## Safety\n\nWear gloves.'],
      [2, 'Manual > Safety', 'Keep the area clear.'],
      [2, 'Manual > Repair', '## Repair\n\nOpen the hatch.'],
      [3, 'Manual > Repair', 'Close the hatch.'],
    ]);
  });

  it('makes each small record its own chunk with a copy of its metadata', () => {
    const rows: Part[] = [
      { text: 'name: Alice\ncity: Paris', block: { metadata: { row: 1, tags: ['a', 'b'] } } },
      { text: 'name: Bob\ncity: Berlin', block: { metadata: { row: 2, tags: ['c'] } } },
      { text: '   ', block: { metadata: { row: 3 } } },
      { text: 'name: 王伟\ncity: 上海', block: { metadata: { row: 4 } } },
    ];
    const { text, blocks } = withBlocks(rows, '\n');
    const doc = makeDoc(text, { blocks, mimeType: 'text/csv' });
    const chunks = split(doc, 400, 40);
    expect(chunks.map((c) => [c.ordinal, c.text, c.metadata])).toEqual([
      [0, 'name: Alice\ncity: Paris', { row: 1, tags: ['a', 'b'] }],
      [1, 'name: Bob\ncity: Berlin', { row: 2, tags: ['c'] }],
      [2, 'name: 王伟\ncity: 上海', { row: 4 }],
    ]);
    for (const c of chunks) expect(c.page).toBeUndefined();
    // A copy: changing a chunk's metadata leaves the block's alone.
    (chunks[0]?.metadata['tags'] as string[]).push('z');
    expect(blocks[0]?.metadata).toEqual({ row: 1, tags: ['a', 'b'] });
  });

  it('keeps a record whole even when it contains Markdown headings, and splits an oversized record', () => {
    const { text, blocks } = withBlocks(
      [
        { text: '# Note\n\nshort\n\n## Sub\n\nalso short', block: { metadata: { id: 'small' } } },
        { text: ENGLISH_PASSAGE, block: { metadata: { id: 'big' } } },
      ],
      '\n',
    );
    const chunks = split(makeDoc(text, { blocks, markdown: true }), 60, 10);
    expect(chunks[0]).toMatchObject({ text: blocks[0] && text.slice(blocks[0].start, blocks[0].end), headingPath: ['Note'] });
    const big = chunks.filter((c) => c.metadata['id'] === 'big');
    expect(big.length).toBeGreaterThan(3);
    for (const c of big) expect(c.tokenCount).toBeLessThanOrEqual(60);
    expect(countTokens(ENGLISH_PASSAGE)).toBeGreaterThan(60);
  });
});
