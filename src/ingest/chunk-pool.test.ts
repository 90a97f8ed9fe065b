import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { LoadedDocument } from '../spec/document.js';
import { createChunkPool } from './chunk-pool.js';
import { buildChunksHere } from './chunk-work.js';

function recordsDoc(): LoadedDocument {
  const records: string[] = [];
  for (let i = 0; i < 300; i++) {
    records.push(
      i % 2
        ? `Record ${i}: the gearbox of turbine ${i} was inspected; oil temperature ${i % 40} degrees. `.repeat(3)
        : `记录${i}：风力发电机${i}号的齿轮箱已经检查，油温正常，叶片前缘有轻微侵蚀。`.repeat(4),
    );
  }
  let text = '';
  const blocks = records.map((r, i) => {
    const start = text.length;
    text += r;
    const block = { start, end: text.length, metadata: { id: `r${i}` } };
    text += '\n\n';
    return block;
  });
  return { source: '/virtual/records.jsonl', mimeType: 'application/x-ndjson', text, blocks, metadata: {}, warnings: [] };
}

describe('chunk pool', () => {
  const pool = createChunkPool({ workers: 1, minParallelChars: 1000 });
  afterAll(() => pool.close());

  it('builds exactly what one thread builds, using a worker for part of the blocks', async () => {
    const doc = recordsDoc();
    expect(doc.text.length).toBeGreaterThan(20_000);
    const work = { doc, chunkSize: 120, overlap: 12 };
    const parallel = await pool.build(work);
    expect(parallel).toEqual(buildChunksHere(work));
    expect(parallel.map((c) => c.ordinal)).toEqual(parallel.map((_, i) => i));
    // The compiled worker exists once `npm test` has built dist/; then it must have been used.
    const compiled = fileURLToPath(new URL('../../dist/ingest/chunk-worker.js', import.meta.url));
    if (existsSync(compiled)) expect(pool.liveWorkers()).toBe(1);
  });

  it('keeps small documents on the calling thread and still returns chunks', async () => {
    const solo = createChunkPool({ workers: 0 });
    const doc: LoadedDocument = { source: '/x.md', mimeType: 'text/markdown', text: '# T\n\nHello world.', markdown: true, metadata: {}, warnings: [] };
    const chunks = await solo.build({ doc, chunkSize: 50, overlap: 5 });
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.keywordText).toBe('t hello world');
  });
});
