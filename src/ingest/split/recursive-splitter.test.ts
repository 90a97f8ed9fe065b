import { describe, expect, it } from 'vitest';
import { countTokens, segmentWords } from '../../text/index.js';
import { expectChunkInvariants, makeDoc } from './test-support/chunk-invariants.js';
import { CHINESE_PASSAGE, ENGLISH_PASSAGE } from './test-support/texts.js';
import { recursiveSplitter, splitText } from './recursive-splitter.js';

function split(text: string, chunkSize: number, overlap: number) {
  const doc = makeDoc(text);
  const chunks = recursiveSplitter.split(doc, { chunkSize, overlap });
  const report = expectChunkInvariants({ doc, chunks, chunkSize, overlap });
  return { doc, chunks, report };
}

/** No chunk boundary falls strictly inside a word of the whole text. */
function expectWordsWhole(text: string, offsets: number[]): void {
  const words = segmentWords(text);
  const cutWords = words.filter((w) => offsets.some((p) => p > w.start && p < w.end)).map((w) => w.text);
  expect(cutWords).toEqual([]);
}

describe('splitText', () => {
  it('returns nothing for empty or blank text', () => {
    expect(splitText({ text: '', chunkSize: 50, overlap: 5 })).toEqual([]);
    expect(splitText({ text: ' \n\n\t ', chunkSize: 50, overlap: 5 })).toEqual([]);
  });

  it('keeps a text that fits as one piece, trimmed by offsets and shifted by `offset`', () => {
    const text = '\n  Hello world. Second sentence.  \n';
    const pieces = splitText({ text, offset: 100, chunkSize: 50, overlap: 5 });
    expect(pieces).toEqual([
      { text: 'Hello world. Second sentence.', start: 103, end: 132, tokenCount: countTokens('Hello world. Second sentence.') },
    ]);
  });

  it('rejects sizes it cannot honour', () => {
    expect(() => splitText({ text: 'x', chunkSize: 0, overlap: 0 })).toThrow(RangeError);
    expect(() => splitText({ text: 'x', chunkSize: 10, overlap: 10 })).toThrow(RangeError);
    expect(() => splitText({ text: 'x', chunkSize: 10, overlap: -1 })).toThrow(RangeError);
    expect(() => splitText({ text: 'x', chunkSize: 10.5, overlap: 1 })).toThrow(RangeError);
  });

  it('prefers paragraph breaks when paragraphs fit', () => {
    const paragraphs = ENGLISH_PASSAGE.split('\n\n');
    const largest = Math.max(...paragraphs.map(countTokens));
    const pieces = splitText({ text: ENGLISH_PASSAGE, chunkSize: largest, overlap: 0 });
    // Two paragraphs never fit together here, so each paragraph is exactly one chunk.
    expect(pieces.map((p) => p.text)).toEqual(paragraphs);
  });

  it('honours keepTogether spans that fit, even across blank lines', () => {
    const code = 'line one of code\n\nline two of code\n\nline three of code';
    const text = `Intro sentence here.\n\n${code}\n\nOutro sentence here.`;
    const start = text.indexOf(code);
    const chunkSize = countTokens(code);
    const kept = splitText({ text, chunkSize, overlap: 0, keepTogether: [{ start, end: start + code.length }] });
    expect(kept.map((p) => p.text)).toContain(code);
    // Without the span, greedy packing joins the intro with the first code paragraph.
    expect(splitText({ text, chunkSize, overlap: 0 }).map((p) => p.text)).not.toContain(code);
  });
});

describe('recursiveSplitter on English', () => {
  it('keeps every invariant and cuts at sentence ends', () => {
    const { chunks } = split(ENGLISH_PASSAGE, 60, 0);
    expect(chunks.length).toBeGreaterThan(4);
    for (const c of chunks) expect(c.text).toMatch(/[.!?]$/);
    expectWordsWhole(ENGLISH_PASSAGE, chunks.flatMap((c) => [c.start, c.end]));
  });

  it('repeats up to `overlap` tokens of the previous chunk, starting at a word', () => {
    const { chunks, report } = split(ENGLISH_PASSAGE, 60, 15);
    expect(report.pairs).toBeGreaterThan(3);
    // Almost every pair overlaps; the odd one may not when the next content leaves no room.
    expect(report.overlappingPairs).toBeGreaterThanOrEqual(report.pairs - 1);
    for (const [i, c] of chunks.entries()) {
      const prev = chunks[i - 1];
      if (!prev || c.start >= prev.end) continue;
      const repeated = ENGLISH_PASSAGE.slice(c.start, prev.end);
      expect(prev.text.endsWith(repeated)).toBe(true);
      expect(countTokens(repeated)).toBeGreaterThan(0);
    }
    expectWordsWhole(ENGLISH_PASSAGE, chunks.map((c) => c.start));
  });

  it('packs chunks close to the budget with the default sizes', () => {
    const text = Array.from({ length: 8 }, () => ENGLISH_PASSAGE).join('\n\n');
    const { chunks } = split(text, 400, 40);
    const full = chunks.slice(0, -1);
    const mean = full.reduce((s, c) => s + c.tokenCount, 0) / full.length;
    expect(mean).toBeGreaterThan(300);
  });
});

describe('recursiveSplitter on Chinese', () => {
  it('breaks at 。！？ and never inside a word', () => {
    const { chunks } = split(CHINESE_PASSAGE, 80, 0);
    expect(chunks.length).toBeGreaterThan(3);
    for (const c of chunks) expect(c.text).toMatch(/[。！？]$/);
    expectWordsWhole(CHINESE_PASSAGE, chunks.flatMap((c) => [c.start, c.end]));
  });

  it('overlaps at word boundaries within the bound', () => {
    const { chunks, report } = split(CHINESE_PASSAGE, 80, 20);
    expect(report.overlappingPairs).toBeGreaterThanOrEqual(report.pairs - 1);
    expect(report.pairs).toBeGreaterThan(2);
    expectWordsWhole(CHINESE_PASSAGE, chunks.flatMap((c) => [c.start, c.end]));
  });

  it('splits a long sentence without punctuation at dictionary-word boundaries', () => {
    const text = '我们在上海研究风力发电机的维护和齿轮箱的可靠性以及海上风电场的运行成本'.repeat(6);
    const { chunks } = split(text, 25, 5);
    expect(chunks.length).toBeGreaterThan(4);
    expectWordsWhole(text, chunks.flatMap((c) => [c.start, c.end]));
  });
});

describe('recursiveSplitter last resorts', () => {
  it('splits a long line without punctuation at words', () => {
    const text = Array.from({ length: 300 }, (_, i) => `word${i % 17}`).join(' ');
    const { chunks } = split(text, 50, 5);
    expect(chunks.length).toBeGreaterThan(5);
    expectWordsWhole(text, chunks.flatMap((c) => [c.start, c.end]));
  });

  it('hard-cuts a single huge token into pieces that fit', () => {
    const text = `before ${'abcdefghij'.repeat(300)} after`;
    const { chunks } = split(text, 40, 0);
    expect(chunks.length).toBeGreaterThan(10);
    for (const c of chunks) expect(c.tokenCount).toBeLessThanOrEqual(40);
    // Each cut is as long as the budget allows: the pieces in the middle are full.
    expect(chunks[2]?.tokenCount).toBe(40);
  });

  it('hard-cuts a run of symbols and never splits a surrogate pair', () => {
    const text = '😀—'.repeat(400);
    const { chunks } = split(text, 30, 3);
    expect(chunks.length).toBeGreaterThan(5);
    for (const c of chunks) {
      expect(c.text.charCodeAt(0) & 0xfc00).not.toBe(0xdc00);
      expect(c.text.charCodeAt(c.text.length - 1) & 0xfc00).not.toBe(0xd800);
    }
  });

  it('lets a Chinese word larger than a tiny budget stand alone rather than cut it', () => {
    const { chunks } = split('齿轮箱', 1, 0);
    expect(chunks.map((c) => c.text).join('')).toBe('齿轮箱');
    expectWordsWhole('齿轮箱', chunks.flatMap((c) => [c.start, c.end]));
  });
});
