import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyze } from './analyze.js';
import { countTokens } from './count-tokens.js';
import { detectScript } from './language.js';
import { normalizeText } from './normalize.js';
import { segmentSentences } from './sentences.js';
import { segmentWords } from './segment-words.js';

/** Any Unicode text: no exception, spans that point into the input, and linear time on long inputs. */
describe('the analyser under fuzzing', () => {
  const anyText = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 300 }),
    fc.string({ unit: 'grapheme', maxLength: 300 }),
    fc.array(fc.constantFrom('齿轮', 'oil', ' ', '。', '\n', '\u200b', 'Ａ', '🙂', "don't", '3.14', '\ud800', 'é'), { maxLength: 80 }).map((a) => a.join('')),
  );

  it('analyze, countTokens, normalizeText and detectScript accept anything', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const terms = analyze(text);
        expect(terms.every((t) => typeof t === 'string' && t.length > 0)).toBe(true);
        expect(countTokens(text)).toBeGreaterThanOrEqual(0);
        normalizeText(text);
        detectScript(text);
      }),
      { numRuns: 300, seed: 1 },
    );
  });

  it('word and sentence spans point into the text and sentences tile it', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        for (const w of segmentWords(text)) expect(text.slice(w.start, w.end)).toBe(w.text);
        const sentences = segmentSentences(text);
        expect(sentences.map((s) => s.text).join('')).toBe(text);
        for (const s of sentences) expect(text.slice(s.start, s.end)).toBe(s.text);
      }),
      { numRuns: 300, seed: 2 },
    );
  });

  it('long pathological inputs stay linear', () => {
    for (const text of ['a'.repeat(2_000_000), '齿'.repeat(500_000), 'Dr. '.repeat(200_000), '\u200b'.repeat(1_000_000), 'x. '.repeat(300_000)]) {
      const started = performance.now();
      analyze(text.slice(0, 500_000));
      countTokens(text);
      segmentSentences(text);
      expect(performance.now() - started, text.slice(0, 10)).toBeLessThan(15_000);
    }
  });
});
