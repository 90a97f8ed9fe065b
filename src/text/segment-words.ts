import { DICTIONARY_SCRIPT_CLASS, DICTIONARY_SCRIPT_RE } from './scripts.js';

/** A word with its offsets (UTF-16 code units) in the text it came from. */
export interface WordSpan {
  text: string;
  start: number;
  end: number;
  /** True for Chinese, Japanese, Thai… words found by the dictionary segmenter. */
  dictionary: boolean;
}

// ICU's segmenter is quadratic-ish on very long strings (1.4 MB took minutes; per paragraph it takes
// milliseconds), so dictionary-script runs are fed to it in bounded pieces.
const MAX_PIECE = 256;
const SCRIPT_RUN_RE = new RegExp(`[${DICTIONARY_SCRIPT_CLASS}]+|[^${DICTIONARY_SCRIPT_CLASS}]+`, 'gu');
// Letters, marks and digits, with inner apostrophes/hyphen-free decimals: "don't", "3.14", "naïve".
const LATIN_WORD_RE = /\p{N}+(?:[.,]\p{N}+)*|[\p{L}\p{M}\p{N}]+(?:['’][\p{L}]+)*/gu;

const segmenters = new Map<string, Intl.Segmenter>();
function segmenterFor(locale: string): Intl.Segmenter {
  let s = segmenters.get(locale);
  if (!s) {
    s = new Intl.Segmenter(locale, { granularity: 'word' });
    segmenters.set(locale, s);
  }
  return s;
}

function localeFor(run: string): string {
  if (/[\p{Script=Hiragana}\p{Script=Katakana}]/u.test(run)) return 'ja';
  if (/\p{Script=Thai}/u.test(run)) return 'th';
  return 'zh';
}

function segmentDictionaryRun(run: string, offset: number, out: WordSpan[]): void {
  const segmenter = segmenterFor(localeFor(run));
  for (let i = 0; i < run.length; i += MAX_PIECE) {
    const piece = run.slice(i, i + MAX_PIECE);
    for (const seg of segmenter.segment(piece)) {
      if (!seg.isWordLike) continue;
      const start = offset + i + seg.index;
      out.push({ text: seg.segment, start, end: start + seg.segment.length, dictionary: true });
    }
  }
}

/**
 * Splits text into words: Chinese and Japanese into dictionary words (not single characters, not whole
 * lines), other scripts at spaces and punctuation. Offsets point into the input.
 */
export function segmentWords(text: string): WordSpan[] {
  const out: WordSpan[] = [];
  for (const m of text.matchAll(SCRIPT_RUN_RE)) {
    const run = m[0];
    const offset = m.index ?? 0;
    if (DICTIONARY_SCRIPT_RE.test(run[0] ?? '')) {
      segmentDictionaryRun(run, offset, out);
    } else {
      for (const w of run.matchAll(LATIN_WORD_RE)) {
        const start = offset + (w.index ?? 0);
        out.push({ text: w[0], start, end: start + w[0].length, dictionary: false });
      }
    }
  }
  return out;
}
