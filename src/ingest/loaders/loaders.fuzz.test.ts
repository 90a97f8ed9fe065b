import fc from 'fast-check';
import { zipSync, strToU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { isLoreError } from '../../spec/errors.js';
import { splitDocument } from '../split/split-document.js';
import { loadDocument } from './index.js';
import { makeDocx } from './test-support/make-docx.js';
import { makePdf } from './test-support/make-pdf.js';

/**
 * Robustness of every loader: arbitrary and damaged bytes either load or fail with a LoreError — never
 * another exception, never a hang — and pathological files stay within time and memory. Runs are kept small
 * (the whole file takes seconds) because two cores are shared; raise `numRuns` locally to search harder.
 */
const EXTENSIONS = ['pdf', 'docx', 'html', 'md', 'csv', 'tsv', 'json', 'jsonl', 'txt', 'ts'];
const TIME_LIMIT_MS = 10_000;

async function loadsOrFailsCleanly(source: string, bytes: Uint8Array, limits: { chunkSize?: number; timeMs?: number } = {}): Promise<void> {
  const started = performance.now();
  try {
    const doc = await loadDocument({ source, bytes });
    // Whatever loads must also split: the splitter sees the same text ingestion would give it.
    splitDocument({ doc, chunkSize: limits.chunkSize ?? 64, overlap: 8 });
  } catch (error) {
    if (!isLoreError(error)) throw new Error(`${source}: not a LoreError: ${(error as Error)?.stack ?? String(error)}`);
  }
  expect(performance.now() - started).toBeLessThan(limits.timeMs ?? TIME_LIMIT_MS);
}

/** Flips, inserts and deletes bytes of a valid file. */
const mutated = (base: Uint8Array) =>
  fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'insert', 'delete', 'truncate')), { minLength: 1, maxLength: 8 }).map((edits) => {
    let bytes = Array.from(base);
    for (const [at, value, kind] of edits) {
      const i = at % Math.max(1, bytes.length);
      if (kind === 'flip') bytes[i] = value;
      else if (kind === 'insert') bytes.splice(i, 0, value);
      else if (kind === 'delete') bytes.splice(i, 1);
      else bytes = bytes.slice(0, i);
    }
    return Uint8Array.from(bytes);
  });

describe('loaders under fuzzing', () => {
  it('arbitrary bytes under every extension: a document or a LoreError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...EXTENSIONS), fc.uint8Array({ minLength: 1, maxLength: 1024 }), async (ext, bytes) => {
        await loadsOrFailsCleanly(`/fuzz/file.${ext}`, bytes);
      }),
      { numRuns: 120, seed: 20251129 },
    );
  });

  it('arbitrary text under every extension', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...EXTENSIONS), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 400 }), async (ext, text) => {
        await loadsOrFailsCleanly(`/fuzz/file.${ext}`, new TextEncoder().encode(text));
      }),
      { numRuns: 120, seed: 7 },
    );
  });

  it('damaged PDF, DOCX, HTML and JSON files', async () => {
    const bases: Array<[string, Uint8Array]> = [
      ['pdf', makePdf({ pages: [{ lines: ['Gearbox oil', 'every 18 months'] }, { lines: ['齿轮箱'], font: 'cjk' }] })],
      ['docx', makeDocx({ paragraphs: [{ text: 'Title', style: 'Heading1' }, { text: 'Body text.' }] })],
      ['html', new TextEncoder().encode('<html><head><title>T</title></head><body><main><h1>A</h1><p>b <b>c</b></p><table><tr><td>1</td></tr></table></main></body></html>')],
      ['json', new TextEncoder().encode('[{"id":1,"text":"hello","tags":["a"]},{"id":2,"text":"world"}]')],
    ];
    for (const [ext, base] of bases) {
      await fc.assert(
        fc.asyncProperty(mutated(base), async (bytes) => {
          if (bytes.length > 0) await loadsOrFailsCleanly(`/fuzz/damaged.${ext}`, bytes);
        }),
        { numRuns: 25, seed: 3 },
      );
    }
  });
});

describe('pathological inputs', () => {
  it('deeply nested JSON', async () => {
    const depth = 50_000;
    await loadsOrFailsCleanly('/fuzz/nested.json', new TextEncoder().encode('['.repeat(depth) + ']'.repeat(depth)));
    await loadsOrFailsCleanly('/fuzz/nested-objects.json', new TextEncoder().encode('{"a":'.repeat(depth) + '1' + '}'.repeat(depth)));
    await loadsOrFailsCleanly('/fuzz/nested.jsonl', new TextEncoder().encode(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}\n{"text":"ok"}\n`));
  });

  it('a DOCX zip bomb is refused before it is inflated', async () => {
    // 400 MB of one character compresses to about 400 KB.
    const huge = new Uint8Array(400 * 1024 * 1024).fill(0x41);
    const bomb = zipSync(
      {
        '[Content_Types].xml': strToU8('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'),
        'word/document.xml': huge,
      },
      { level: 9 },
    );
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
    const heapBefore = process.memoryUsage().rss;
    await expect(loadDocument({ source: '/fuzz/bomb.docx', bytes: bomb })).rejects.toMatchObject({ code: 'FILE_TOO_LARGE' });
    // Bounded memory: far less than the 400 MB the archive claims.
    expect(process.memoryUsage().rss - heapBefore).toBeLessThan(300 * 1024 * 1024);
  });

  it('a PDF with very many tiny objects', async () => {
    const objects = 200_000;
    const parts: string[] = ['%PDF-1.4\n'];
    const offsets: number[] = [];
    let length = parts[0]!.length;
    const push = (s: string) => {
      parts.push(s);
      length += s.length;
    };
    offsets[1] = length;
    push('1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n');
    offsets[2] = length;
    push('2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n');
    offsets[3] = length;
    push('3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >> endobj\n');
    const stream = 'BT /F1 12 Tf 10 100 Td (Many objects) Tj ET';
    offsets[4] = length;
    push(`4 0 obj << /Length ${stream.length} >> stream\n${stream}\nendstream endobj\n`);
    offsets[5] = length;
    push('5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj\n');
    for (let n = 6; n < objects; n++) {
      offsets[n] = length;
      push(`${n} 0 obj ${n} endobj\n`);
    }
    const xref = length;
    const rows = ['0000000000 65535 f \n', ...offsets.slice(1).map((o) => `${String(o).padStart(10, '0')} 00000 n \n`)];
    push(`xref\n0 ${objects}\n${rows.join('')}trailer << /Size ${objects} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`);
    const bytes = new TextEncoder().encode(parts.join(''));
    await loadsOrFailsCleanly('/fuzz/many-objects.pdf', bytes);
  });

  it('a 10 MB line with no spaces, and one of short words (linear: the sentence splitter was quadratic here)', async () => {
    // Default chunk size, as ingestion uses. Measured after the fix: 0.2 s and ~5 s (ICU segments the Chinese).
    await loadsOrFailsCleanly('/fuzz/line.txt', new Uint8Array(10 * 1024 * 1024).fill(0x61), { chunkSize: 400, timeMs: 10_000 });
    const words = new TextEncoder().encode('oil gear 齿轮 '.repeat(700_000).slice(0, 10 * 1024 * 1024));
    await loadsOrFailsCleanly('/fuzz/words.txt', words, { chunkSize: 400, timeMs: 40_000 });
  });
});
