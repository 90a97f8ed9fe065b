import type { EmbeddingModel } from '../spec/models.js';
import type { SearchHit } from '../spec/store.js';
import { analyze } from '../text/analyze.js';
import { countTokens } from '../text/count-tokens.js';
import { supportsText } from '../text/language.js';
import { segmentSentences } from '../text/sentences.js';
import { SPAN_SEPARATOR, toContextHit, type ContextHit, type TextSpan } from './context-hit.js';
import { cosine } from './rerank/hit-vectors.js';
import { minMax, relevanceScale } from './rerank/scale-scores.js';

/**
 * Chosen on CMRC 2018 answer spans (bench/pipeline.ts, docs/benchmarks.md), at a 400-token budget over the
 * top 5: answers lost to compression 88 → 50 with partial credit for the passage's terms, → 35 with the
 * passage's retrieval score weighing in; 0.5 / 1.0 measured the same (31–37), so the milder values stay.
 */
const TUNING = {
  /** Credit for a query term the sentence lacks but its passage has, against 1 for one it has. */
  contextCredit: 0.3,
  /** How much a passage's retrieval score (relative to the best) scales its sentences' scores, 0–1. */
  rankWeight: 0.8,
};

/** Tokens of the whole compressed context unless told otherwise. */
export const DEFAULT_COMPRESS_TOKENS = 1000;

export interface CompressContextOptions {
  query: string;
  /** Best first: plain hits, or hits already expanded (their spans are compressed piece by piece). */
  hits: SearchHit[];
  /** Tokens (countTokens) of all kept sentences together (default 1000). */
  maxTokens?: number;
  /** Also score sentences by embedding similarity to the query (one batched embed call). */
  embedder?: EmbeddingModel;
  /** Share of the embedding similarity in a sentence's score, 0–1 (default 0.5 when there is an embedder). */
  embeddingWeight?: number;
  /**
   * Drop sentences scoring below this share of the best one, 0–1 (default 0: the budget alone decides, so
   * a generous budget keeps whole passages that share words with the query; 0.5 keeps roughly only the
   * sentences that themselves contain the query's rarer words).
   */
  minScore?: number;
  signal?: AbortSignal;
}

export interface CompressContextResult {
  /** The hits that kept at least one sentence, in their order, text cut to the kept sentences. */
  hits: ContextHit[];
  /** Tokens of the kept text (separators not counted) and of the text given. */
  tokens: number;
  tokensBefore: number;
  notes: string[];
}

interface Sentence {
  hit: number;
  rank: number;
  /** Index of the hit's span it came from, to join neighbours from the same exact text only. */
  span: number;
  start: number;
  end: number;
  text: string;
  tokens: number;
  terms: Set<string>;
  score: number;
}

/**
 * Contextual compression: keeps only the sentences of each passage that bear on the question, within a
 * token budget for the whole context, so a model reads the answer instead of 4,000 tokens around it.
 *
 * A sentence scores the IDF of the query terms it contains (the shared analyser's terms, so stemming,
 * stop words and Chinese segmentation with bigrams apply; IDF over all candidate sentences, so a word every
 * passage repeats counts little), plus partial credit for query terms elsewhere in its passage (answers
 * often say "it" where the question names the subject), weighed by its passage's retrieval score, with an
 * optional embedding similarity blended in. Sentences are taken best first while they fit; what is kept is
 * handed back in document order with the exact offsets of each kept piece. Without an embedder a passage
 * sharing no query term loses all its sentences, so a passage can drop out entirely.
 */
export async function compressContext(o: CompressContextOptions): Promise<CompressContextResult> {
  const budget = Math.max(0, o.maxTokens ?? DEFAULT_COMPRESS_TOKENS);
  const notes: string[] = [];
  const hits = o.hits.map(toContextHit);
  const queryTerms = new Set(analyze(o.query));
  const sentences = hits.flatMap((hit, i) => sentencesOf(hit, i));
  const tokensBefore = hits.reduce((sum, h) => sum + countTokens(h.text), 0);

  const df = new Map<string, number>();
  for (const s of sentences) for (const t of s.terms) if (queryTerms.has(t)) df.set(t, (df.get(t) ?? 0) + 1);
  const idf = (t: string) => Math.log(1 + sentences.length / df.get(t)!);
  // The query terms each passage holds anywhere: a sentence gets partial credit for them ("Its leaves are
  // scaly" answers a question about the tree the passage's first sentence names).
  const passageTerms = hits.map((_, i) => new Set(sentences.filter((s) => s.hit === i).flatMap((s) => [...s.terms].filter((t) => queryTerms.has(t)))));
  const lexical = sentences.map((s) => {
    let score = 0;
    for (const t of passageTerms[s.hit]!) score += idf(t) * (s.terms.has(t) ? 1 : TUNING.contextCredit);
    return score;
  });
  const best = Math.max(0, ...lexical);
  let scores = lexical.map((l) => (best > 0 ? l / best : 0));
  if (o.embedder && sentences.length > 0) {
    const semantic = await embeddingScores({ embedder: o.embedder, query: o.query, sentences, signal: o.signal, notes });
    if (semantic) {
      const w = Math.min(1, Math.max(0, o.embeddingWeight ?? 0.5));
      scores = scores.map((s, i) => (1 - w) * s + w * semantic[i]!);
    }
  }
  // A sentence of a passage that ranked lower is less likely to hold the answer: its score is weighed by
  // its passage's retrieval score (relative to the best).
  const relevance = relevanceScale(hits.map((h) => h.score));
  sentences.forEach((s, i) => (s.score = scores[i]! * (1 - TUNING.rankWeight + TUNING.rankWeight * relevance[s.hit]!)));

  let tokens = 0;
  const kept = new Set<Sentence>();
  const floor = Math.max(0, Math.min(1, o.minScore ?? 0)) * Math.max(0, ...sentences.map((s) => s.score));
  for (const s of [...sentences].sort((a, b) => b.score - a.score || a.rank - b.rank || a.start - b.start)) {
    if (s.score <= 0 || s.score < floor) break;
    if (tokens + s.tokens > budget) continue;
    kept.add(s);
    tokens += s.tokens;
  }
  if (kept.size === 0 && sentences.length > 0) notes.push(best > 0 ? `compression: no sentence fits in ${budget} tokens` : 'compression: no sentence shares a word with the query');

  const out: ContextHit[] = [];
  hits.forEach((hit, i) => {
    const mine = sentences.filter((s) => s.hit === i && kept.has(s));
    if (mine.length === 0) return;
    const spans = joinAdjacent(hit, mine);
    out.push({ ...hit, text: spans.map((s) => s.text).join(SPAN_SEPARATOR), start: spans[0]!.start, end: spans[spans.length - 1]!.end, spans });
  });
  return { hits: out, tokens, tokensBefore, notes };
}

function sentencesOf(hit: ContextHit, index: number): Sentence[] {
  return hit.spans.flatMap((span, spanIndex) =>
    segmentSentences(span.text).flatMap((s) => {
      const lead = s.text.length - s.text.trimStart().length;
      const text = s.text.trim();
      if (!text) return [];
      const start = span.start + s.start + lead;
      return [{ hit: index, rank: index, span: spanIndex, start, end: start + text.length, text, tokens: countTokens(text), terms: new Set(analyze(text)), score: 0 }];
    }),
  );
}

/** Kept sentences in document order; neighbours with only white space between them become one span. */
function joinAdjacent(hit: ContextHit, kept: Sentence[]): TextSpan[] {
  const sorted = [...kept].sort((a, b) => a.start - b.start);
  const spans: Array<TextSpan & { span: number }> = [];
  for (const s of sorted) {
    const last = spans[spans.length - 1];
    const source = hit.spans[s.span]!;
    if (last && last.span === s.span && source.text.slice(last.end - source.start, s.start - source.start).trim() === '') {
      last.text = source.text.slice(last.start - source.start, s.end - source.start);
      last.end = s.end;
    } else {
      spans.push({ start: s.start, end: s.end, text: s.text, span: s.span });
    }
  }
  return spans.map(({ start, end, text }) => ({ start, end, text }));
}

async function embeddingScores(o: { embedder: EmbeddingModel; query: string; sentences: Sentence[]; signal?: AbortSignal; notes: string[] }): Promise<number[] | undefined> {
  if (!supportsText(o.embedder.languages, o.query)) {
    o.notes.push(`${o.embedder.id} does not represent the query's language: compression by shared words only`);
    return undefined;
  }
  const usable = o.sentences.map((s, i) => (supportsText(o.embedder.languages, s.text) ? i : -1)).filter((i) => i >= 0);
  if (usable.length === 0) return undefined;
  const vectors = await o.embedder.embed([o.query, ...usable.map((i) => o.sentences[i]!.text)], { signal: o.signal });
  // A sentence the model cannot represent scores like the least similar one, not like noise.
  const cosines = new Array<number | undefined>(o.sentences.length).fill(undefined);
  usable.forEach((i, n) => (cosines[i] = cosine(vectors[0]!, vectors[n + 1]!)));
  const floor = Math.min(...usable.map((i) => cosines[i]!));
  return minMax(cosines.map((c) => c ?? floor));
}
