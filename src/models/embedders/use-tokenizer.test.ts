import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createUseTokenizer, loadUseVocabulary, prepareUseText, USE_LITE_MAX_WORDS } from './use-tokenizer.js';

const CRANFIELD = fileURLToPath(new URL('../../../../shared/datasets/cranfield/corpus.jsonl', import.meta.url));
const vocabulary = loadUseVocabulary();
const tokenizer = createUseTokenizer({ vocabulary });
// The package's own tokenizer, the reference this one must agree with id for id.
const { EmbeddingsModel } = createRequire(import.meta.url)('@energetic-ai/embeddings') as {
  EmbeddingsModel: new (data: { vocabulary: unknown; model: unknown }) => { tokenizer: { encode(text: string): number[] } };
};
const reference = new EmbeddingsModel({ vocabulary, model: null }).tokenizer;

const samples = [
  'hello world',
  'The quick brown fox jumps over the lazy dog.',
  "don't stop—believing!!! (really) 3.14159 e=mc^2",
  'héllo wörld ﬁ ½ café naïve',
  'emoji 😀😀 and 東京 and ŝ ŝ ŝ',
  'CamelCaseWordsAndURLs https://example.com/a?b=c#frag',
  'x',
  '...',
];

describe('createUseTokenizer', () => {
  it('gives the same ids as the package tokenizer', () => {
    const texts = [...samples];
    if (existsSync(CRANFIELD)) {
      texts.push(...readFileSync(CRANFIELD, 'utf8').split('\n').slice(0, 40).map((l) => String((JSON.parse(l) as { text: string }).text)));
    }
    for (const raw of texts) {
      const text = prepareUseText({ text: raw, maxWords: 10_000 });
      expect([...tokenizer.encode(text, Infinity)], text).toEqual(reference.encode(text));
    }
  });

  it('agrees on random strings of vocabulary characters', () => {
    const chars = [...new Set(vocabulary.flatMap(([piece]) => [...piece]))];
    let seed = 42;
    const random = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    for (let n = 0; n < 300; n++) {
      let raw = '';
      for (let i = 1 + Math.floor(random() * 40); i > 0; i--) raw += random() < 0.15 ? ' ' : chars[Math.floor(random() * chars.length)];
      const text = prepareUseText({ text: raw });
      expect([...tokenizer.encode(text, Infinity)], JSON.stringify(text)).toEqual(reference.encode(text));
    }
  });

  it('keeps at most maxTokens ids, a prefix of the whole', () => {
    const text = prepareUseText({ text: 'wind turbine gearbox oil '.repeat(20), maxWords: 10_000 });
    const all = tokenizer.encode(text, Infinity);
    expect(all.length).toBeGreaterThan(64);
    expect([...tokenizer.encode(text, 64)]).toEqual([...all.slice(0, 64)]);
    expect(tokenizer.encode('', 64)).toHaveLength(0);
  });
});

describe('prepareUseText', () => {
  it('collapses whitespace of any kind and keeps the first maxWords words', () => {
    expect(prepareUseText({ text: '  a\n\nb\t c\u00a0d  ' })).toBe('a b c d');
    expect(prepareUseText({ text: 'one two three four', maxWords: 2 })).toBe('one two');
    expect(prepareUseText({ text: ' \n ' })).toBe('');
    const long = Array.from({ length: 500 }, (_, i) => `w${i}`).join(' ');
    expect(prepareUseText({ text: long }).split(' ')).toHaveLength(USE_LITE_MAX_WORDS);
  });

  it('loses no token the model reads: 128 words hold at least 128 tokens', () => {
    const words = prepareUseText({ text: 'a b c d e f g '.repeat(40) });
    expect(tokenizer.encode(words, Infinity).length).toBeGreaterThanOrEqual(128);
  });
});
