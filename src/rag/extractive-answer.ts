import type { SearchHit } from '../spec/store.js';
import { analyze } from '../text/analyze.js';
import { countTokens } from '../text/count-tokens.js';
import { HAN_RE } from '../text/scripts.js';
import { segmentSentences } from '../text/sentences.js';
import { segmentWords } from '../text/segment-words.js';
import { normalizeText } from '../text/normalize.js';
import { isStopWord } from '../text/stopwords.js';
import { readableText, WIDE_CHAR, type Answer, type AnswerSentence, type Citation } from './answer.js';
import { HAS_CONTENT, HEADING_LINE, passageSentenceSpans, trimSpan } from './passage-sentences.js';

export const DEFAULT_ANSWER_SENTENCES = 3;
export const DEFAULT_ANSWER_TOKENS = 200;
export const DEFAULT_MIN_RELATIVE_SCORE = 0.5;
/** Chunks retrieved to answer from, by `lore ask` and the benchmark. */
export const DEFAULT_ANSWER_CHUNKS = 8;

/** Why the answer is quoted rather than written, and how to get a written one. */
export const EXTRACTIVE_NOTE =
  'This is an extractive answer: sentences quoted from your documents, no language model was used. ' +
  'For a written answer, give a language model with --model (e.g. ollama:qwen2.5:7b, openai:gpt-4o-mini, ' +
  'openai-compatible:http://localhost:8000/v1#my-model) or set LORE_MODEL.';

export const NO_ANSWER_TEXT = 'No passage in your documents answers this question.';
export const NO_ANSWER_TEXT_ZH = '您的文档中没有能回答这个问题的段落。';

export interface ExtractiveAnswerOptions {
  question: string;
  /** Retrieved chunks, best first (what `search()` returns). */
  hits: SearchHit[];
  /** Sentences quoted at most (default 3). */
  maxSentences?: number;
  /** Tokens (the shared `countTokens`) the quoted sentences may take together (default 200). */
  maxTokens?: number;
  /**
   * A sentence is quoted only when it scores at least this share of the best sentence (default 0.5), so a
   * strong answer is not diluted with sentences that merely share a word with the question.
   */
  minRelativeScore?: number;
  /** Scoring knobs, for benchmarks and ablations; the defaults are what `docs/benchmarks.md` measured best. */
  tuning?: Partial<ExtractiveTuning>;
}

export interface ExtractiveTuning {
  /**
   * Length normalisation: a sentence with more than `lengthPivot` times the candidates' average number of
   * terms has its score divided by `1 + lengthPenalty × (ratio − lengthPivot)`. Defaults 0.1 and 2.
   */
  lengthPenalty: number;
  lengthPivot: number;
  /** Bonus for the retrieval rank of a sentence's chunk: `rankBonus / (1 + rank)`; default 0.1. */
  rankBonus: number;
  /** Weight question terms by IDF over the candidate sentences (default true); false weighs them equally. */
  idf: boolean;
  /** Leave question words (多少, 什么时候, how many…) out of the question's terms (default true). */
  dropInterrogatives: boolean;
  /** Sentences whose terms overlap this much (Jaccard) are duplicates; default 0.8. */
  duplicateJaccard: number;
  /** Weight of question terms found elsewhere in the sentence's chunk but not in the sentence (default 0.3). */
  contextWeight: number;
  /**
   * Weight of question terms found in what the sentence's chunk is about — the document's title, the
   * chunk's headings, its opening sentence — but not in the sentence (default 0.8): "体长可达50公分。"
   * is about the fish the paragraph's opening sentence names, and "replace the oil every 18 months" about
   * the gearbox of its heading.
   */
  topicWeight: number;
  /** Weigh question terms found in exactly the same candidate sentences as one (default true). */
  groupTerms: boolean;
  /** Join Chinese words the segmenter cut into single characters back into phrases (default true). */
  phrases: boolean;
  /**
   * When the question asks for a number (多少, 几, 什么时候, how many, how often, when…), sentences that
   * contain one score `1 + answerTypeBonus` times as much (default 0.2).
   */
  answerTypeBonus: number;
}

export const DEFAULT_EXTRACTIVE_TUNING: ExtractiveTuning = {
  lengthPenalty: 0.1,
  lengthPivot: 2,
  rankBonus: 0.1,
  idf: true,
  dropInterrogatives: true,
  duplicateJaccard: 0.8,
  contextWeight: 0.3,
  topicWeight: 0.8,
  groupTerms: true,
  phrases: true,
  answerTypeBonus: 0.2,
};

/** A sentence of a retrieved chunk: a candidate for the answer. */
interface Unit {
  hit: SearchHit;
  /** Rank of the chunk in the retrieval results, from 0. */
  rank: number;
  /** Offsets into the chunk text. */
  localStart: number;
  localEnd: number;
  /** Offsets into the document text. */
  start: number;
  end: number;
  quote: string;
  /** `normalizeText(quote)`, for phrase matching. */
  normalized: string;
  display: string;
  tokens: number;
  terms: Set<string>;
  score: number;
}

/**
 * Words that ask rather than say: the analyser keeps them (they are not stop words, and the bigrams of
 * 为什么 / 什么时候 bring back 什么), but the passage that answers a question does not contain them, and
 * where a passage does, IDF over the few candidate sentences would make them look like the rarest and
 * most telling terms of the question.
 */
const INTERROGATIVES: ReadonlySet<string> = new Set([
  '什么', '为什么', '为什', '什么时候', '么时', '多少', '多久', '多大', '多长', '多高', '多远', '多', '几', '几次', '几个', '几年',
  '哪', '哪一', '哪里', '哪儿', '哪位', '哪年', '何', '何时', '何地', '何种', '为何', '是否', '怎样', '怎么样',
  'mani', 'much', 'often',
]);

/** Questions whose answer is a number, a quantity, a date or a time. */
const NUMBER_QUESTION =
  /多少|多久|多大|多高|多长|多远|多重|多深|多宽|几|何时|什么时候|哪一?年|哪天|哪一天|\bhow (?:many|much|long|often|old|far|big|large|high|tall|deep|wide|heavy|fast)\b|\bwhen\b|\bwhat (?:year|date|time)\b/;
/**
 * A number: digits, or Chinese numerals followed by a measure word — but not 一 alone before 个, 种, 次…,
 * which is mostly an article ("一个", "一种").
 */
const NUMBER =
  /\d|[零一二三四五六七八九十两百千万亿]*[零二三四五六七八九十两百千万亿][零一二三四五六七八九十两百千万亿]*(?:个|年|月|日|号|天|次|岁|米|公里|公分|厘米|毫米|公斤|千克|吨|倍|人|名|届|座|种|项|分|秒|小时|分钟|周|世纪|元|%)|一(?:年|月|日|天|周|倍|米|公里|公斤|小时|分钟|秒|世纪)/u;

/**
 * Answers a question with sentences quoted from the retrieved chunks: each chunk is split into sentences,
 * every sentence is scored by the question terms it contains (IDF-weighted over the candidate sentences,
 * with partial credit for terms its chunk's topic or neighbours supply, normalised for length, plus a small
 * bonus for the rank of its chunk; see `scoreUnits`), near-duplicates are dropped, and the best few are
 * given in reading order, each followed by a citation marker. English and Chinese alike; no language model.
 */
export function answerExtractively(options: ExtractiveAnswerOptions): Answer {
  const { question, hits } = options;
  const maxSentences = Math.max(1, options.maxSentences ?? DEFAULT_ANSWER_SENTENCES);
  const maxTokens = Math.max(1, options.maxTokens ?? DEFAULT_ANSWER_TOKENS);
  const minRelative = options.minRelativeScore ?? DEFAULT_MIN_RELATIVE_SCORE;
  const tuning = { ...DEFAULT_EXTRACTIVE_TUNING, ...options.tuning };
  const units = dropOverlaps(hits.flatMap((hit, rank) => sentenceUnits(hit, rank, maxTokens)));
  const features = questionFeatures(question, units, tuning);
  if (features.length === 0 || units.length === 0) return noAnswer(question);

  scoreUnits(question, units, features, tuning);
  const chosen = choose(units, { maxSentences, maxTokens, minRelative, duplicateJaccard: tuning.duplicateJaccard });
  if (chosen.length === 0) return noAnswer(question);
  return compose(question, orderForReading(chosen));
}

/** The chunk's sentences, with soft-wrapped lines joined, headings and empty lines left out. */
function sentenceUnits(hit: SearchHit, rank: number, maxTokens: number): Unit[] {
  const text = hit.text;
  const units: Unit[] = [];
  for (const trimmed of passageSentenceSpans(text)) {
    for (const piece of fitSpan(text, trimmed.start, trimmed.end, maxTokens)) {
      const quote = text.slice(piece.start, piece.end);
      const display = readableText(quote);
      units.push({
        hit,
        rank,
        localStart: piece.start,
        localEnd: piece.end,
        start: hit.start + piece.start,
        end: hit.start + piece.end,
        quote,
        normalized: normalizeText(quote),
        display,
        tokens: countTokens(display),
        terms: new Set(analyze(quote)),
        score: 0,
      });
    }
  }
  return units;
}

/**
 * A sentence longer than the token budget (a table row, a run-on list) is cut into pieces that fit: at
 * clause punctuation where possible, else between words, so that it can still be quoted exactly.
 */
function fitSpan(text: string, start: number, end: number, maxTokens: number): Array<{ start: number; end: number }> {
  if (countTokens(text.slice(start, end)) <= maxTokens) return [{ start, end }];
  const cuts: number[] = [];
  for (const m of text.slice(start, end).matchAll(/[,;:，；：、]\s*/g)) cuts.push(start + (m.index ?? 0) + m[0].length);
  const words = segmentWords(text.slice(start, end)).map((w) => start + w.end);
  const pieces: Array<{ start: number; end: number }> = [];
  let from = start;
  while (from < end) {
    const fits = (to: number) => countTokens(text.slice(from, to)) <= maxTokens;
    let to = [...cuts].reverse().find((c) => c > from && c < end && fits(c));
    to ??= [...words].reverse().find((w) => w > from && w < end && fits(w));
    if (to === undefined || fits(end)) to = fits(end) ? end : Math.min(end, from + maxTokens);
    const piece = trimSpan(text, from, to);
    if (piece) pieces.push(piece);
    from = to;
  }
  return pieces;
}

/**
 * Chunks overlap (the end of one repeats at the start of the next), so the same sentence, or a piece of it
 * cut at a chunk edge, arrives more than once: of spans of one document that share most of their text,
 * only the longest is kept (the better-ranked chunk's on a tie).
 */
function dropOverlaps(units: Unit[]): Unit[] {
  const byLength = [...units].sort((a, b) => b.end - b.start - (a.end - a.start) || a.rank - b.rank);
  const kept: Unit[] = [];
  for (const u of byLength) {
    const covered = kept.some((k) => k.hit.documentId === u.hit.documentId && Math.min(k.end, u.end) - Math.max(k.start, u.start) >= 0.5 * (u.end - u.start));
    if (!covered) kept.push(u);
  }
  const order = new Map(units.map((u, i) => [u, i]));
  return kept.sort((a, b) => order.get(a)! - order.get(b)!);
}

/** Something of the question that a sentence can contain: an analysed term, or a phrase of Chinese words. */
type Feature = { kind: 'term'; term: string } | { kind: 'phrase'; text: string };

/**
 * The question as features: its analysed terms, less question words; except that Chinese words the
 * segmenter cut into single characters (纽|西|兰|鸡|毛|松, 大|果|西番|莲 — names it does not know) are
 * joined back into the longest phrase that some candidate sentence contains verbatim, so that a name
 * counts once, as a name, and not as four unrelated characters each as telling as the rest of the question.
 */
function questionFeatures(question: string, units: Unit[], tuning: ExtractiveTuning): Feature[] {
  const text = normalizeText(question);
  const words = segmentWords(text);
  const skip = (w: string) => isStopWord(w) || (tuning.dropInterrogatives && INTERROGATIVES.has(w));
  const features: Feature[] = [];
  const seen = new Set<string>();
  const add = (f: Feature) => {
    const key = f.kind === 'term' ? `t:${f.term}` : `p:${f.text}`;
    if (!seen.has(key)) {
      seen.add(key);
      features.push(f);
    }
  };
  for (let i = 0; i < words.length; ) {
    const w = words[i]!;
    if (skip(w.text)) {
      i++;
      continue;
    }
    let last = i;
    if (tuning.phrases && w.dictionary) {
      for (let j = i + 1; j < words.length; j++) {
        const prev = words[j - 1]!;
        const next = words[j]!;
        const joinable = next.dictionary && next.start === prev.end && !skip(next.text) && (prev.text.length === 1 || next.text.length === 1);
        if (!joinable) break;
        const phrase = text.slice(w.start, next.end);
        if (!units.some((u) => u.normalized.includes(phrase))) break;
        last = j;
      }
    }
    if (last > i) {
      add({ kind: 'phrase', text: text.slice(w.start, words[last]!.end) });
    } else {
      for (const term of analyze(w.text)) if (!tuning.dropInterrogatives || !INTERROGATIVES.has(term)) add({ kind: 'term', term });
    }
    i = last + 1;
  }
  return features;
}

interface Context {
  terms: Set<string>;
  normalized: string;
}

function contextOf(text: string): Context {
  return { terms: new Set(analyze(text)), normalized: normalizeText(text) };
}

/** What a chunk is about: the document's title, the chunk's headings and its opening sentence. */
function topicText(hit: SearchHit): string {
  const opening = segmentSentences(hit.text).find((s) => HAS_CONTENT.test(s.text) && !HEADING_LINE.test(s.text.trim()));
  return [hit.title ?? '', ...hit.headingPath, opening?.text ?? ''].join('\n');
}

function contains(feature: Feature, where: { terms: Set<string>; normalized: string }): boolean {
  return feature.kind === 'term' ? where.terms.has(feature.term) : where.normalized.includes(feature.text);
}

/**
 * A sentence's score: the weight of the question's concepts it contains, plus `topicWeight` times the
 * weight of those only its chunk's topic (title, headings, opening sentence) contains, plus `contextWeight`
 * times those only the rest of its chunk contains ("它的根部…" answers "大果西番莲的根部…" with the plant
 * named a sentence earlier), over the weight of all the question's concepts; divided by a length factor
 * for sentences much longer than the others; times a bonus when the question asks for a number and the
 * sentence has one; plus a small bonus for the retrieval rank of its chunk. A sentence must contain at
 * least one concept itself. A concept is a group of question features found in exactly the same candidate
 * sentences (a word and its bigrams, the parts of a name), weighted once. Weights are IDF over the
 * candidate sentences: a term every retrieved sentence shares tells them apart least.
 */
function scoreUnits(question: string, units: Unit[], features: Feature[], tuning: ExtractiveTuning): void {
  const n = units.length;
  const wantsNumber = tuning.answerTypeBonus > 0 && NUMBER_QUESTION.test(normalizeText(question));
  const concepts = new Map<string, { features: Feature[]; df: number }>();
  features.forEach((f, index) => {
    const where: number[] = [];
    units.forEach((u, i) => {
      if (contains(f, u)) where.push(i);
    });
    const key = tuning.groupTerms ? where.join(',') : `${index}:${where.join(',')}`;
    const concept = concepts.get(key);
    if (concept) concept.features.push(f);
    else concepts.set(key, { features: [f], df: where.length });
  });
  const weighted = [...concepts.values()].map((c) => ({ features: c.features, weight: tuning.idf ? Math.log(1 + (n - c.df + 0.5) / (c.df + 0.5)) : 1 }));
  const total = weighted.reduce((sum, c) => sum + c.weight, 0);
  const avgLength = units.reduce((sum, u) => sum + u.terms.size, 0) / n || 1;
  const contexts = new Map<SearchHit, { topic: Context; chunk: Context }>();
  for (const u of units) {
    let context = contexts.get(u.hit);
    if (!context) {
      context = { topic: contextOf(topicText(u.hit)), chunk: contextOf(u.hit.text) };
      contexts.set(u.hit, context);
    }
    let own = 0;
    let around = 0;
    for (const c of weighted) {
      if (contains(c.features[0]!, u)) own += c.weight;
      else if (c.features.some((f) => contains(f, context.topic))) around += tuning.topicWeight * c.weight;
      else if (c.features.some((f) => contains(f, context.chunk))) around += tuning.contextWeight * c.weight;
    }
    if (own === 0 || total === 0) {
      u.score = 0;
      continue;
    }
    // Only sentences much longer than the others are held back: BM25-style normalisation, which also
    // favours short sentences, picked fragments such as "罗保铭,天津人。" (docs/benchmarks.md).
    const excess = Math.max(0, u.terms.size / avgLength - tuning.lengthPivot);
    const typed = wantsNumber && NUMBER.test(u.quote) ? 1 + tuning.answerTypeBonus : 1;
    u.score = ((own + around) / total / (1 + tuning.lengthPenalty * excess)) * typed + tuning.rankBonus / (1 + u.rank);
  }
}

function choose(units: Unit[], limits: { maxSentences: number; maxTokens: number; minRelative: number; duplicateJaccard: number }): Unit[] {
  const ranked = units.filter((u) => u.score > 0).sort((a, b) => b.score - a.score || a.rank - b.rank || a.start - b.start);
  const best = ranked[0]?.score ?? 0;
  const chosen: Unit[] = [];
  let tokens = 0;
  for (const u of ranked) {
    if (chosen.length >= limits.maxSentences) break;
    if (u.score < best * limits.minRelative) break;
    if (tokens + u.tokens > limits.maxTokens) continue;
    if (chosen.some((c) => jaccard(c.terms, u.terms) >= limits.duplicateJaccard)) continue;
    chosen.push(u);
    tokens += u.tokens;
  }
  return chosen;
}

function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  for (const t of a) if (b.has(t)) shared++;
  return shared / (a.size + b.size - shared);
}

/** Sources in the order of their best sentence; within a source, the order of the document. */
function orderForReading(chosen: Unit[]): Unit[] {
  const sourceRank = new Map<number, number>();
  chosen.forEach((u, i) => {
    if (!sourceRank.has(u.hit.documentId)) sourceRank.set(u.hit.documentId, i);
  });
  return [...chosen].sort((a, b) => sourceRank.get(a.hit.documentId)! - sourceRank.get(b.hit.documentId)! || a.start - b.start);
}

function compose(question: string, ordered: Unit[]): Answer {
  // Adjacent sentences of one chunk become one citation.
  const groups: Unit[][] = [];
  for (const u of ordered) {
    const group = groups[groups.length - 1];
    const last = group?.[group.length - 1];
    if (group && last && last.hit.chunkId === u.hit.chunkId && last.localEnd <= u.localStart && u.hit.text.slice(last.localEnd, u.localStart).trim() === '') {
      group.push(u);
    } else {
      groups.push([u]);
    }
  }
  const citations: Citation[] = [];
  const sentences: AnswerSentence[] = [];
  let text = '';
  groups.forEach((group, i) => {
    const first = group[0]!;
    const last = group[group.length - 1]!;
    const n = i + 1;
    const hit = first.hit;
    citations.push({
      n,
      source: hit.source,
      title: hit.title,
      page: hit.page,
      headingPath: hit.headingPath,
      quote: hit.text.slice(first.localStart, last.localEnd),
      start: first.start,
      end: last.end,
      chunkId: hit.chunkId,
      documentId: hit.documentId,
      collection: hit.collection,
      score: round(Math.max(...group.map((u) => u.score))),
    });
    for (const u of group) {
      sentences.push({ text: u.display, citation: n, score: round(u.score), start: u.start, end: u.end });
      text = join(text, u.display);
    }
    text += endsWide(text) ? `[${n}]` : ` [${n}]`;
  });
  return { question, mode: 'extractive', text, sentences, citations, note: EXTRACTIVE_NOTE };
}

function noAnswer(question: string): Answer {
  return { question, mode: 'extractive', text: HAN_RE.test(question) ? NO_ANSWER_TEXT_ZH : NO_ANSWER_TEXT, sentences: [], citations: [], note: EXTRACTIVE_NOTE };
}


function endsWide(text: string): boolean {
  return WIDE_CHAR.test(text.slice(-1));
}

/** Chinese runs on without spaces; other scripts take one between sentences. */
function join(text: string, next: string): string {
  if (!text) return next;
  return WIDE_CHAR.test(next.charAt(0)) ? text + next : `${text} ${next}`;
}

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
