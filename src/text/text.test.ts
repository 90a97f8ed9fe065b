import { describe, expect, it } from 'vitest';
import { analyze } from './analyze.js';
import { countTokens } from './count-tokens.js';
import { normalizeText } from './normalize.js';
import { segmentSentences } from './sentences.js';
import { segmentWords } from './segment-words.js';

describe('segmentWords', () => {
  it('splits Chinese into dictionary words, not characters or whole lines', () => {
    const words = segmentWords('我们在上海研究风力发电机的维护。').map((w) => w.text);
    expect(words).toContain('上海');
    expect(words).toContain('研究');
    expect(words).toContain('维护');
    expect(words.some((w) => w.length > 1)).toBe(true);
    expect(words.join('')).toBe('我们在上海研究风力发电机的维护');
  });

  it('splits Japanese into words', () => {
    const words = segmentWords('東京都に住んでいます').map((w) => w.text);
    expect(words).toContain('東京');
    expect(words.length).toBeGreaterThan(2);
  });

  it('keeps offsets into the input for mixed text', () => {
    const text = 'Lore 是一个工具, version 3.14 — naïve don’t';
    for (const w of segmentWords(text)) expect(text.slice(w.start, w.end)).toBe(w.text);
    const words = segmentWords(text).map((w) => w.text);
    expect(words).toEqual(expect.arrayContaining(['Lore', '工具', 'version', '3.14', 'naïve', 'don’t']));
  });

  it('handles a long Chinese text quickly and completely (segmented in bounded pieces)', () => {
    const text = '风力发电机的齿轮箱需要定期检查。'.repeat(2000);
    const words = segmentWords(text);
    expect(words.filter((w) => w.text === '齿轮箱' || w.text === '齿轮').length).toBeGreaterThan(1500);
  });
});

describe('normalizeText', () => {
  it('folds full-width forms and case', () => {
    expect(normalizeText('ＡＢＣ１２３ＬＯＲＥ')).toBe('abc123lore');
  });
  it('removes zero-width characters', () => {
    expect(normalizeText('pass\u200bword')).toBe('password');
  });
});

describe('analyze', () => {
  it('stems English and drops stop words', () => {
    expect(analyze('The turbines were running')).toEqual(['turbin', 'run']);
  });
  it('index and query analysis agree for Chinese, with bigrams bridging segmentation differences', () => {
    const passage = analyze('每个月检查一次齿轮箱的油位');
    const query = analyze('齿轮箱油位多久检查？');
    expect(query.filter((t) => passage.includes(t)).length).toBeGreaterThanOrEqual(2);
    expect(passage).not.toContain('的');
  });
  it('matches full-width query text against half-width documents', () => {
    expect(analyze('ＧＰＴ４ model')).toEqual(analyze('gpt4 Model'));
  });
});

describe('segmentSentences', () => {
  it('ends Chinese sentences at 。！？', () => {
    const s = segmentSentences('今天天气很好。你去吗？我不去！').map((x) => x.text);
    expect(s).toEqual(['今天天气很好。', '你去吗？', '我不去！']);
  });
  it('ends English sentences at . ! ? but not after common abbreviations', () => {
    const s = segmentSentences('Dr. Smith went home. Did he? Yes!').map((x) => x.text.trim());
    expect(s).toEqual(['Dr. Smith went home.', 'Did he?', 'Yes!']);
  });
  it('spans tile the text', () => {
    const text = 'One. Two? 三。四！\n\nFive.';
    const spans = segmentSentences(text);
    expect(spans.map((s) => s.text).join('')).toBe(text);
    for (const s of spans) expect(text.slice(s.start, s.end)).toBe(s.text);
  });
});

describe('countTokens', () => {
  it('counts about one token per Chinese character and per English word', () => {
    expect(countTokens('')).toBe(0);
    expect(countTokens('风力发电机')).toBe(5);
    expect(countTokens('the wind turbine')).toBe(3);
    expect(countTokens('internationalization')).toBeGreaterThan(1);
    expect(countTokens('Hello, world!')).toBe(4);
  });
});
