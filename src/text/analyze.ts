import { normalizeText } from './normalize.js';
import { segmentWords } from './segment-words.js';
import { stemWord } from './stem.js';
import { isStopWord } from './stopwords.js';
import { HAN_RE } from './scripts.js';

export interface AnalyzeOptions {
  /** Drop English and Chinese stop words (default true). */
  stopWords?: boolean;
  /** Porter-stem English words (default true). */
  stem?: boolean;
  /**
   * Also emit overlapping character bigrams inside Chinese words of three or more characters, so that a
   * query segmented differently from the passage ("涡轮机" vs "涡轮|机") still matches (default true).
   */
  cjkBigrams?: boolean;
}

/**
 * The shared analyser: the terms the keyword index stores and queries with. Text is NFKC-normalised and
 * case-folded, split into words (dictionary segmentation for Chinese/Japanese), stop words dropped,
 * English stemmed. The same function runs at index and at query time, so both sides always agree.
 */
export function analyze(text: string, options: AnalyzeOptions = {}): string[] {
  const { stopWords = true, stem = true, cjkBigrams = true } = options;
  const terms: string[] = [];
  for (const w of segmentWords(normalizeText(text))) {
    const word = w.text;
    if (stopWords && isStopWord(word)) continue;
    if (w.dictionary) {
      terms.push(word);
      if (cjkBigrams && word.length >= 3 && HAN_RE.test(word)) {
        for (let i = 0; i + 2 <= word.length; i++) terms.push(word.slice(i, i + 2));
      }
    } else {
      terms.push(stem ? stemWord(word) : word);
    }
  }
  return terms;
}
