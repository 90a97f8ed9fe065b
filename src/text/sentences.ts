import { hasDictionaryScript } from './scripts.js';

export interface SentenceSpan {
  text: string;
  start: number;
  end: number;
}

const MAX_PIECE = 2000;
const segmenters = new Map<string, Intl.Segmenter>();
function sentenceSegmenter(locale: string): Intl.Segmenter {
  let s = segmenters.get(locale);
  if (!s) {
    s = new Intl.Segmenter(locale, { granularity: 'sentence' });
    segmenters.set(locale, s);
  }
  return s;
}

// Abbreviations after which ICU would otherwise end a sentence.
const ABBREVIATION_END = /\b(?:dr|mr|mrs|ms|prof|sr|jr|st|vs|etc|e\.g|i\.e|fig|no|vol|approx|cf)\.\s*$/i;

/**
 * Splits text into sentences with `Intl.Segmenter`, which ends sentences at 。！？ as well as . ! ?
 * (and their full-width forms). Offsets point into the input; trailing spaces stay with the sentence so
 * the spans tile the text. Long texts are fed in paragraph-bounded pieces because ICU slows down
 * badly on very long strings.
 */
export function segmentSentences(text: string): SentenceSpan[] {
  const locale = hasDictionaryScript(text) ? 'zh' : 'en';
  const segmenter = sentenceSegmenter(locale);
  const out: SentenceSpan[] = [];
  let pos = 0;
  while (pos < text.length) {
    let end = Math.min(text.length, pos + MAX_PIECE);
    if (end < text.length) {
      const nl = text.lastIndexOf('\n', end);
      if (nl > pos) end = nl + 1;
    }
    const piece = text.slice(pos, end);
    for (const seg of segmenter.segment(piece)) {
      const start = pos + seg.index;
      const last = out[out.length - 1];
      // Merge "Dr. " + "Smith went home." back together.
      if (last && last.end === start && ABBREVIATION_END.test(last.text) && !/\n\s*$/.test(last.text)) {
        last.text += seg.segment;
        last.end = start + seg.segment.length;
      } else {
        out.push({ text: seg.segment, start, end: start + seg.segment.length });
      }
    }
    pos = end;
  }
  return out;
}
