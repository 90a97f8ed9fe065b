import { segmentSentences } from '../text/sentences.js';
import { readableText, stripCitationMarkers, type AnswerSentence } from './answer.js';

/** A sentence of an answer's text, with the citation markers it carries. */
export interface MarkedSentence {
  /** The sentence without its markers, white space collapsed. */
  text: string;
  /** Offsets into the answer text: the sentence with its own markers, list bullet and white space excluded. */
  start: number;
  end: number;
  /** Marker numbers, in order of appearance, without repeats; inherited when it has none (see below). */
  cited: number[];
  /** Whether `cited` came from a later sentence of the paragraph rather than from the sentence itself. */
  inherited: boolean;
}

const MARKER = /\[(\d+)\]/g;
/** A list bullet or number that starts a line: not part of the sentence. */
const BULLET = /^(?:[-*+•]|\d+[.)])\s+/;
const ONLY_BULLET = /^(?:[-*+•]|\d+[.)])$/;

/**
 * Splits an answer's text into sentences and gives each the markers it carries. The markers are blanked
 * (replaced by spaces of the same length) before the text is split: the sentence segmenter would cut
 * "。[1]" between "[" and "1]" in Chinese, and would start the next English sentence with "[1]". So a marker
 * after a sentence's full stop stays with that sentence, and all offsets stay those of the answer text.
 * A sentence without a marker takes the markers of the next sentence of its paragraph that has one: an
 * extractive answer quotes adjacent sentences as "A. B. [1]", and models write the same. An extractive
 * answer's own `sentences`, when given, are used as they are.
 */
export function splitAnswerSentences(options: { text: string; sentences?: AnswerSentence[] }): MarkedSentence[] {
  const { text } = options;
  const known = options.sentences?.length ? quotedSentences(text, options.sentences) : undefined;
  if (known) return known;
  const markers = [...text.matchAll(MARKER)].map((m) => ({ start: m.index ?? 0, end: (m.index ?? 0) + m[0].length, n: Number(m[1]) }));
  let blanked = text;
  for (const m of markers) {
    // A marker right after a sentence's end punctuation ends the sentence, even where the segmenter would
    // read on ("…bearing wear. [1] part: GB-OIL-320…" has no capital letter to break at): its blank
    // starts with a line break, which the segmenter always breaks at.
    const ends = /[.!?。！？…][\p{Pe}\p{Pf}"'」』]*\s*$/u.test(blanked.slice(Math.max(0, m.start - 8), m.start)) && /\S/.test(text.slice(m.end));
    blanked = blanked.slice(0, m.start) + (ends ? '\n' : ' ') + ' '.repeat(m.end - m.start - 1) + blanked.slice(m.end);
  }

  const out: Array<MarkedSentence & { paragraphEnd: boolean }> = [];
  for (const seg of segmentSentences(blanked)) {
    let start = seg.start;
    let end = seg.end;
    while (start < end && /\s/.test(blanked[start]!)) start++;
    while (end > start && /\s/.test(blanked[end - 1]!)) end--;
    const own = markers.filter((m) => m.start >= seg.start && m.start < seg.end).map((m) => m.n);
    const body = blanked.slice(start, end);
    // A bullet the segmenter cut off on its own ("1." before "Replace the oil…") belongs to no sentence.
    if (start === end || ONLY_BULLET.test(body)) {
      const last = out[out.length - 1];
      if (last && own.length > 0) last.cited = unique([...last.cited, ...own]);
      continue;
    }
    const bullet = BULLET.exec(body);
    if (bullet) start += bullet[0].length;
    // The span shown includes the sentence's markers, also those after its end punctuation.
    const shownEnd = Math.max(end, ...markers.filter((m) => m.start >= seg.start && m.start < seg.end).map((m) => m.end));
    const sentence = readableText(stripCitationMarkers(text.slice(start, shownEnd)));
    out.push({ text: sentence, start, end: shownEnd, cited: unique(own), inherited: false, paragraphEnd: text.slice(end, seg.end).includes('\n') });
  }
  // Inherit markers from the next marked sentence of the same paragraph (a line break ends a paragraph:
  // list items and lines of an answer cite separately).
  for (let i = out.length - 1; i >= 0; i--) {
    const s = out[i]!;
    if (s.cited.length > 0 || s.paragraphEnd) continue;
    const next = out[i + 1];
    if (next && next.cited.length > 0) {
      s.cited = [...next.cited];
      s.inherited = true;
    }
  }
  return out.map(({ paragraphEnd: _, ...s }) => s);
}

/**
 * An extractive answer says where its sentences are: `Answer.sentences`, joined in order, each group
 * followed by its marker. Found in the text in order, they give the exact sentences (a quoted table row
 * need not end in a full stop); undefined when one cannot be found, and the text is split instead.
 */
function quotedSentences(text: string, sentences: AnswerSentence[]): MarkedSentence[] | undefined {
  const out: MarkedSentence[] = [];
  let cursor = 0;
  for (const s of sentences) {
    const start = text.indexOf(s.text, cursor);
    if (start < 0) return undefined;
    let end = start + s.text.length;
    const marker = /^ ?\[(\d+)\]/.exec(text.slice(end));
    if (marker) end += marker[0].length;
    out.push({ text: s.text, start, end, cited: [s.citation], inherited: !marker });
    cursor = end;
  }
  return out;
}

function unique(ns: number[]): number[] {
  return [...new Set(ns)];
}
