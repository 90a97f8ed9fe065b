import { describe, expect, it } from 'vitest';
import type { LoadedDocument, TextBlock } from '../../spec/document.js';
import { segmentWords } from '../../text/index.js';
import { expectChunkInvariants, makeDoc } from './test-support/chunk-invariants.js';
import { splitDocument } from './split-document.js';

/** Mulberry32: a tiny seeded PRNG, so a failure reproduces from its case number. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ENGLISH = 'the turbine gearbox bearing fails under load while engineers measure vibration and temperature data daily'.split(' ');
const CHINESE = '风力 发电机 齿轮箱 轴承 维护 工程师 温度 振动 数据 海上 风电场 预测 故障 上海 研究'.split(' ');
const MARKS = ['. ', '! ', '? ', '。', '！', '？', '，', ', ', '; ', ' — ', ' (note) ', ' 3.14 ', ' 😀 '];

function randomText(rand: () => number, markdown: boolean): string {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const parts: string[] = [];
  const length = Math.floor(rand() * rand() * 600);
  let inFence = false;
  for (let i = 0; i < length; i++) {
    const r = rand();
    if (r < 0.35) parts.push(pick(ENGLISH), ' ');
    else if (r < 0.7) parts.push(pick(CHINESE));
    else if (r < 0.85) parts.push(pick(MARKS));
    else if (r < 0.9) parts.push('\n');
    else if (r < 0.94) parts.push('\n\n');
    else if (r < 0.95) parts.push('x'.repeat(Math.floor(rand() * 400))); // a huge "word"
    else if (r < 0.96) parts.push('-'.repeat(Math.floor(rand() * 200))); // a symbol run
    else if (markdown && r < 0.985) parts.push(`\n${'#'.repeat(1 + Math.floor(rand() * 6))} ${pick(ENGLISH)} ${pick(CHINESE)}\n`);
    else if (markdown) {
      parts.push(inFence ? '\n```\n' : '\n```js\n');
      inFence = !inFence;
    } else parts.push('   ');
  }
  return parts.join('');
}

/** Cuts the text into random blocks separated by gaps, pages or records. */
function randomBlocks(rand: () => number, text: string, paged: boolean): TextBlock[] {
  const blocks: TextBlock[] = [];
  let pos = 0;
  while (pos < text.length) {
    const end = Math.min(text.length, pos + 1 + Math.floor(rand() * 300));
    blocks.push(paged ? { start: pos, end, page: blocks.length + 1 } : { start: pos, end, metadata: { row: blocks.length } });
    pos = end + Math.floor(rand() * 3); // 0–2 characters between blocks are not chunked
  }
  return blocks;
}

describe('splitDocument on random mixed English/Chinese text', () => {
  it('keeps every invariant on 400 seeded cases', () => {
    let chunksSeen = 0;
    let overlapsSeen = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const rand = prng(seed);
      const markdown = rand() < 0.4;
      const text = randomText(rand, markdown);
      const shape = rand();
      const blocks = shape < 0.5 ? undefined : randomBlocks(rand, text, shape < 0.75);
      const doc: LoadedDocument = makeDoc(text, { markdown, ...(blocks ? { blocks } : {}) });
      const chunkSize = 4 + Math.floor(rand() * 120);
      const overlap = rand() < 0.2 ? 0 : Math.floor(rand() * chunkSize * 0.5);
      const chunks = splitDocument({ doc, chunkSize, overlap });
      try {
        const report = expectChunkInvariants({ doc, chunks, chunkSize, overlap });
        overlapsSeen += report.overlappingPairs;
        // No chunk starts or ends inside a Chinese word of its block.
        const wordCache = new Map<TextBlock, Set<number>>();
        for (const c of chunks) {
          const block = blocks?.find((b) => b.start <= c.start && c.end <= b.end) ?? { start: 0, end: text.length };
          let insideWords = wordCache.get(block);
          if (!insideWords) {
            insideWords = new Set();
            for (const w of segmentWords(text.slice(block.start, block.end))) {
              if (w.dictionary) for (let p = w.start + 1; p < w.end; p++) insideWords.add(block.start + p);
            }
            wordCache.set(block, insideWords);
          }
          expect(insideWords.has(c.start) || insideWords.has(c.end)).toBe(false);
          if (blocks && shape < 0.75) expect(c.page).toBe(block.page);
        }
      } catch (error) {
        throw new Error(`seed ${seed} (chunkSize ${chunkSize}, overlap ${overlap}): ${String(error)}`);
      }
      chunksSeen += chunks.length;
    }
    expect(chunksSeen).toBeGreaterThan(1000);
    expect(overlapsSeen).toBeGreaterThan(100);
  });
});
