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
 * Whether a sentence's tail ends in an abbreviation ("Dr. ") and not at a line end. The caller passes only
 * the last 64 characters: a run of merged "Dr. Dr. Dr. …" grows, and testing (and concatenating) the whole
 * sentence each time made 800 KB of it take minutes (found by the fuzz tests).
 */
function endsWithAbbreviation(text: string): boolean {
  // Scanned back by hand: trimEnd() would copy the whole growing sentence every time.
  let end = text.length;
  while (end > 0 && /\s/.test(text[end - 1]!)) end--;
  if (text.slice(end).includes('\n')) return false;
  // One character before the tail keeps the word boundary (\b) honest.
  const tail = text.slice(Math.max(0, end - 17));
  return ABBREVIATION_END.test(tail);
}

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
      // Searched within the piece only: lastIndexOf from `end` would scan back to the start of a text without
      // newlines on every piece, which made a 10 MB one-line file quadratic (found by the fuzz tests).
      const nl = text.slice(pos, end).lastIndexOf('\n');
      if (nl > 0) end = pos + nl + 1;
    }
    const piece = text.slice(pos, end);
    for (const seg of segmenter.segment(piece)) {
      const start = pos + seg.index;
      const last = out[out.length - 1];
      // Merge "Dr. " + "Smith went home." back together.
      // Merged spans only move their end; their text is cut from the input once, at the end.
      if (last && last.end === start && endsWithAbbreviation(text.slice(Math.max(last.start, last.end - 64), last.end))) {
        last.end = start + seg.segment.length;
        last.text = '';
      } else {
        out.push({ text: seg.segment, start, end: start + seg.segment.length });
      }
    }
    pos = end;
  }
  for (const span of out) if (span.text === '') span.text = text.slice(span.start, span.end);
  return out;
}
