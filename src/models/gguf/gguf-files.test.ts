import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isLoreError, type LoreError } from '../../spec/errors.js';
import { writeTinyGguf } from '../test-support/tiny-gguf.js';
import { createGgufEmbedder } from './gguf-embedder.js';
import { createGgufModel } from './gguf-model.js';
import { readGgufHeader } from './read-gguf-header.js';

const dir = mkdtempSync(join(tmpdir(), 'lore-gguf-files-'));
const chatPath = join(dir, 'tiny.gguf');
const embedPath = join(dir, 'embed.gguf');
writeTinyGguf({ path: chatPath });
writeTinyGguf({ path: embedPath, seed: 7, pooling: 'mean' });
const whole = readFileSync(chatPath);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function failure(fn: () => unknown): LoreError {
  try {
    fn();
  } catch (error) {
    if (isLoreError(error)) return error;
    throw error;
  }
  throw new Error('expected a LoreError');
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

describe('writeTinyGguf', () => {
  it('writes a small GGUF v3 file that describes itself', () => {
    expect(statSync(chatPath).size).toBeLessThan(1024 * 1024);
    const header = readGgufHeader({ path: chatPath });
    expect(header).toMatchObject({ version: 3, architecture: 'llama', name: 'tiny-llama', embeddingLength: 64, contextLength: 4096, tensorCount: 3 + 2 * 9 });
    expect(header.poolingType).toBeUndefined();
    expect(header.chatTemplate).toContain('<|im_start|>');
    expect(header.byteTokens.size).toBe(256);
    expect(header.tokenizerModel).toBe('llama');
    expect(header.vocabularySize).toBeGreaterThan(259 + 94);
    expect(header.byteTokens.get(3 + 0x41)).toBe(0x41);
    expect(readGgufHeader({ path: embedPath }).poolingType).toBe(1);
  });
});

describe('a model file that is missing or damaged', () => {
  const write = (name: string, bytes: Uint8Array): string => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  };

  it('is NOT_FOUND when there is no file, with a hint', () => {
    const missing = join(dir, 'nope.gguf');
    for (const create of [() => createGgufModel({ path: missing }), () => createGgufEmbedder({ path: missing })]) {
      const error = failure(create);
      expect(error.code).toBe('NOT_FOUND');
      expect(error.message).toContain(missing);
      expect(error.hint).toBeTruthy();
    }
  });

  it('is CORRUPT_FILE when truncated (an interrupted download)', () => {
    const half = write('half.gguf', whole.subarray(0, whole.length >> 1));
    const error = failure(() => createGgufModel({ path: half }));
    expect(error.code).toBe('CORRUPT_FILE');
    expect(error.message).toMatch(/truncated/);
    expect(error.hint).toMatch(/re-download/);
    // Cut inside the header (the vocabulary) rather than the weights.
    const cut = write('cut.gguf', whole.subarray(0, 2000));
    expect(failure(() => readGgufHeader({ path: cut })).code).toBe('CORRUPT_FILE');
  });

  it('is UNSUPPORTED_FORMAT for random bytes or another format', () => {
    const noise = write('noise.gguf', Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) & 0xff));
    const error = failure(() => createGgufModel({ path: noise }));
    expect(error.code).toBe('UNSUPPORTED_FORMAT');
    expect(error.message).toMatch(/not a GGUF/);
    const version = Buffer.from(whole);
    version.writeUInt32LE(9, 4);
    expect(failure(() => readGgufHeader({ path: write('v9.gguf', version) })).message).toMatch(/version 9/);
  });

  it('is CORRUPT_FILE when a length in the header is absurd', () => {
    const broken = Buffer.from(whole);
    // The first metadata key's length (right after magic, version and the two counts).
    broken.writeBigUInt64LE(1n << 40n, 24);
    expect(failure(() => readGgufHeader({ path: write('broken.gguf', broken) })).code).toBe('CORRUPT_FILE');
  });

  it('says so for an empty file or a folder', () => {
    expect(failure(() => readGgufHeader({ path: write('empty.gguf', new Uint8Array()) })).code).toBe('EMPTY_FILE');
    const folder = join(dir, 'folder.gguf');
    mkdirSync(folder);
    expect(failure(() => readGgufHeader({ path: folder })).code).toBe('INVALID_ARGUMENT');
  });

  it('refuses a draft model with another vocabulary at creation', () => {
    const other = join(dir, 'other-vocab.gguf');
    writeTinyGguf({ path: other, layers: 1, vocabulary: 'bytes' });
    const error = failure(() => createGgufModel({ path: chatPath, draftPath: other }));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toMatch(/vocabularies differ/);
  });

  it('is checked again when the weights load, without crashing the process', async () => {
    const path = write('later.gguf', whole);
    const model = createGgufModel({ path });
    writeFileSync(path, whole.subarray(0, whole.length >> 1));
    await expect(model.generate({ messages: [{ role: 'user', content: 'hi' }], maxTokens: 2 })).rejects.toMatchObject({ code: 'CORRUPT_FILE' });
    await model.close();
  });
});

describe('createGgufEmbedder', () => {
  const embedder = createGgufEmbedder({ path: embedPath });
  afterAll(() => embedder.close());

  it('describes itself from the header, before loading', () => {
    expect(embedder.id).toBe(`gguf:${embedPath}`);
    expect(embedder.dimensions).toBe(64);
    expect(embedder.languages).toEqual([]);
  });

  it('returns unit vectors, the same for the same text, different for different texts', async () => {
    const texts = ['the cat sat on the mat', '', 'the cat sat on the mat', '{"a": 1} something else entirely'];
    const progress: number[] = [];
    const vectors = await embedder.embed(texts, { onProgress: (done) => progress.push(done) });
    expect(vectors).toHaveLength(4);
    for (const v of vectors) {
      expect(v).toBeInstanceOf(Float32Array);
      expect(v.length).toBe(64);
      expect(Math.abs(dot(v, v) - 1)).toBeLessThan(1e-5);
    }
    expect([...vectors[2]!]).toEqual([...vectors[0]!]);
    expect(dot(vectors[0]!, vectors[3]!)).toBeLessThan(0.9999);
    expect(progress).toEqual([1, 2, 3, 4]);
    // Deterministic across a reload.
    await embedder.close();
    const again = await embedder.embed([texts[0]!]);
    expect([...again[0]!]).toEqual([...vectors[0]!]);
  });

  it('cuts texts longer than its context instead of failing', async () => {
    const small = createGgufEmbedder({ path: embedPath, contextSize: 64 });
    try {
      const [v] = await small.embed(['word '.repeat(500)]);
      expect(v!.length).toBe(64);
    } finally {
      await small.close();
    }
  });

  it('stops when cancelled', async () => {
    await expect(embedder.embed(['a', 'b'], { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ABORTED' });
  });
});
