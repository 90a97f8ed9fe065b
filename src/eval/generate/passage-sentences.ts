import { claimContent } from '../../rag/claim-terms.js';
import { analyze } from '../../text/analyze.js';
import { segmentSentences } from '../../text/sentences.js';
import { segmentWords } from '../../text/segment-words.js';
import { isStopWord } from '../../text/stopwords.js';
import { generationLanguage, type GenerationChunk, type GenerationLanguage } from './candidate.js';

/** A sentence of a chunk a question can be made from. */
export interface SourceSentence {
  chunk: GenerationChunk;
  text: string;
  language: GenerationLanguage;
}

const SENTENCE_LIMITS = { en: [6, 45], zh: [10, 120] } as const;

/** Markdown markup that a quoted sentence should not carry. */
function plain(text: string): string {
  return text
    .replace(/^\s*(?:[-*+•]|\d+[.)])\s+/, '')
    .replace(/\*\*|__|`/g, '')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The sentences of a chunk that state something and read on their own: no headings, table rows, code,
 * questions or lead-ins, of a reasonable length (6–45 words; 10–120 Chinese characters).
 */
export function sourceSentences(chunk: GenerationChunk): SourceSentence[] {
  const out: SourceSentence[] = [];
  let fenced = false;
  for (const line of chunk.text.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced || /^\s*(#|\||```|~~~|>)/.test(line) || !line.trim()) continue;
    for (const s of segmentSentences(line)) {
      const text = plain(s.text);
      const language = generationLanguage(text);
      if (!language) continue;
      const size = language === 'zh' ? text.replace(/\s+/g, '').length : text.split(' ').length;
      const [min, max] = SENTENCE_LIMITS[language];
      if (size < min || size > max) continue;
      if (/[?？:：]$/.test(text) || !/[.!。！;；)）"”]$/.test(text)) continue;
      if (!claimContent({ sentence: text }).isClaim) continue;
      out.push({ chunk, text, language });
    }
  }
  return out;
}

/** Inverse document frequency of analysed terms over the chunks: what makes a word worth asking about. */
export function termIdf(chunks: readonly GenerationChunk[]): (term: string) => number {
  const df = new Map<string, number>();
  for (const c of chunks) for (const t of new Set(analyze(c.text))) df.set(t, (df.get(t) ?? 0) + 1);
  const n = chunks.length;
  return (term) => Math.log(1 + (n + 1) / ((df.get(term) ?? 0) + 0.5));
}

/** A word of a sentence as written, with its offsets and how rare it is. */
export interface Keyword {
  text: string;
  start: number;
  end: number;
  weight: number;
}

const NUMERIC = /^[\d.,]+$|^[零〇一二两三四五六七八九十百千万亿]+$/u;

/**
 * The sentence's words worth asking about, rarest first: not stop words, not numbers, at least four
 * letters (English) or two characters (Chinese), each surface form once.
 */
export function keywords(text: string, idf: (term: string) => number): Keyword[] {
  const seen = new Set<string>();
  const out: Keyword[] = [];
  for (const w of segmentWords(text)) {
    const word = w.text;
    const lower = word.toLowerCase();
    if (seen.has(lower) || isStopWord(lower) || NUMERIC.test(word)) continue;
    if (w.dictionary ? word.length < 2 : word.length < 4) continue;
    const terms = analyze(word);
    if (terms.length === 0) continue;
    seen.add(lower);
    out.push({ text: word, start: w.start, end: w.end, weight: Math.max(...terms.map(idf)) });
  }
  return out.sort((a, b) => b.weight - a.weight || a.start - b.start);
}

/** How much a sentence says: the IDF of its distinct terms, per square root of its length. */
export function informativeness(text: string, idf: (term: string) => number): number {
  const terms = [...new Set(analyze(text))];
  if (terms.length === 0) return 0;
  return terms.reduce((s, t) => s + idf(t), 0) / Math.sqrt(terms.length);
}
