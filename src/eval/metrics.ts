import { LoreError } from '../spec/errors.js';

/**
 * Ranking metrics that reproduce trec_eval 9.x (and so pytrec_eval, which embeds it, and BEIR, which calls
 * pytrec_eval), so a figure printed here can be compared with a published one.
 *
 * Conventions, all taken from trec_eval:
 * - A document is relevant when its qrel gain is > 0. Unjudged documents have gain 0.
 * - nDCG uses linear gains (gain = qrel score) and the discount log2(rank + 1), rank counted from 1.
 *   Gains <= 0 add nothing. The ideal DCG sorts all judged gains > 0 descending and cuts at k.
 * - Recall@k = relevant retrieved in the top k / all relevant in the qrels (judged docs missing from the
 *   corpus still count, as in trec_eval).
 * - P@k divides by k even when fewer than k documents came back.
 * - MRR@k is the reciprocal rank of the first relevant document within the top k (0 if none);
 *   trec_eval only has the uncut `recip_rank`, which equals MRR@k for k >= the run length.
 * - MAP is uncut: the sum of precision at each relevant document's rank over the whole returned ranking,
 *   divided by the number of relevant documents in the qrels.
 * - The evaluated queries are those of the qrels, like `trec_eval -c`: a query missing from the run, or
 *   with an empty result list, scores 0 on every metric and still counts in the mean. Queries in the run
 *   but not in the qrels are ignored.
 */

/** queryId → (docId → graded gain). */
export type Qrels = ReadonlyMap<string, ReadonlyMap<string, number>>;

export interface ScoredDoc {
  docId: string;
  score: number;
}

/** Either scored documents, or document ids already in rank order (scores unknown). */
export type RunList = readonly ScoredDoc[] | readonly string[];

/** queryId → the documents retrieved for it. */
export type Run = ReadonlyMap<string, RunList>;

/**
 * How a scored list is put in rank order.
 * - `trec_eval`: score descending, ties by docId descending (byte order), exactly as trec_eval re-sorts a
 *   run file, ignoring the order given. Use it to match pytrec_eval on the same scores.
 * - `given`: the list order as it is, for engines whose own tie-breaking is part of what is measured.
 * A plain list of ids is always taken as given.
 */
export type RunOrder = 'trec_eval' | 'given';

/** Flat metric names: `ndcg@10`, `recall@100`, `mrr@10`, `p@5`, `map`. Flat so a row prints or serializes as is. */
export type MetricValues = Record<string, number>;

export interface QueryEvaluation {
  queryId: string;
  metrics: MetricValues;
  /** How many documents the run returned for the query (after de-duplication checks). */
  retrieved: number;
  /** How many judged documents have gain > 0. */
  relevant: number;
}

export interface RunEvaluation {
  /** One entry per qrels query, in the qrels' iteration order. */
  perQuery: QueryEvaluation[];
  /** Arithmetic mean over all qrels queries; every metric is 0 when there are none. */
  mean: MetricValues;
  queryCount: number;
}

export interface EvaluateRunOptions {
  run: Run;
  qrels: Qrels;
  /** Cutoffs for nDCG, Recall, MRR and P; positive integers. Default [10]. */
  ks?: readonly number[];
  order?: RunOrder;
}

export function evaluateRun(options: EvaluateRunOptions): RunEvaluation {
  const ks = checkCutoffs(options.ks ?? [10]);
  const order = options.order ?? 'trec_eval';
  const perQuery: QueryEvaluation[] = [];
  for (const [queryId, judgments] of options.qrels) {
    const ranking = rankDocIds({ list: options.run.get(queryId) ?? [], order, queryId });
    perQuery.push(evaluateQuery({ queryId, ranking, judgments, ks }));
  }
  return { perQuery, mean: meanMetrics({ perQuery, names: metricNames(ks) }), queryCount: perQuery.length };
}

/** Metric names `evaluateRun` fills for the given cutoffs, in print order. */
export function metricNames(ks: readonly number[]): string[] {
  const names: string[] = [];
  for (const prefix of ['ndcg', 'recall', 'mrr', 'p']) for (const k of ks) names.push(`${prefix}@${k}`);
  names.push('map');
  return names;
}

interface EvaluateQueryOptions {
  queryId: string;
  ranking: readonly string[];
  judgments: ReadonlyMap<string, number>;
  ks: readonly number[];
}

function evaluateQuery(options: EvaluateQueryOptions): QueryEvaluation {
  const { ranking, judgments, ks } = options;
  const gains = ranking.map((docId) => judgments.get(docId) ?? 0);
  const idealGains = [...judgments.values()].filter((g) => g > 0).sort((a, b) => b - a);
  const relevant = idealGains.length;
  const metrics: MetricValues = {};
  for (const k of ks) metrics[`ndcg@${k}`] = ndcgAt({ gains, idealGains, k });
  for (const k of ks) metrics[`recall@${k}`] = relevant === 0 ? 0 : countRelevant(gains, k) / relevant;
  for (const k of ks) metrics[`mrr@${k}`] = reciprocalRankAt(gains, k);
  for (const k of ks) metrics[`p@${k}`] = countRelevant(gains, k) / k;
  metrics.map = averagePrecision(gains, relevant);
  return { queryId: options.queryId, metrics, retrieved: ranking.length, relevant };
}

function dcg(gains: readonly number[], k: number): number {
  let sum = 0;
  const end = Math.min(k, gains.length);
  for (let i = 0; i < end; i++) {
    const gain = gains[i] ?? 0;
    // Rank i + 1 is discounted by log2(rank + 1) = log2(i + 2); negative gains are skipped like trec_eval.
    if (gain > 0) sum += gain / Math.log2(i + 2);
  }
  return sum;
}

function ndcgAt(options: { gains: readonly number[]; idealGains: readonly number[]; k: number }): number {
  const ideal = dcg(options.idealGains, options.k);
  return ideal > 0 ? dcg(options.gains, options.k) / ideal : 0;
}

function countRelevant(gains: readonly number[], k: number): number {
  let count = 0;
  const end = Math.min(k, gains.length);
  for (let i = 0; i < end; i++) if ((gains[i] ?? 0) > 0) count++;
  return count;
}

function reciprocalRankAt(gains: readonly number[], k: number): number {
  const end = Math.min(k, gains.length);
  for (let i = 0; i < end; i++) if ((gains[i] ?? 0) > 0) return 1 / (i + 1);
  return 0;
}

function averagePrecision(gains: readonly number[], relevant: number): number {
  if (relevant === 0) return 0;
  let found = 0;
  let sum = 0;
  gains.forEach((gain, i) => {
    if (gain > 0) sum += ++found / (i + 1);
  });
  return sum / relevant;
}

function meanMetrics(options: { perQuery: readonly QueryEvaluation[]; names: readonly string[] }): MetricValues {
  const mean: MetricValues = {};
  const n = options.perQuery.length;
  for (const name of options.names) {
    let sum = 0;
    for (const q of options.perQuery) sum += q.metrics[name] ?? 0;
    mean[name] = n === 0 ? 0 : sum / n;
  }
  return mean;
}

function checkCutoffs(ks: readonly number[]): number[] {
  if (ks.length === 0) throw invalid({ message: 'ks is empty', hint: 'pass at least one cutoff, e.g. [10]' });
  for (const k of ks) {
    if (!Number.isInteger(k) || k <= 0) throw invalid({ message: `cutoff ${k} is not a positive integer`, hint: 'use cutoffs like 1, 10, 100' });
  }
  return [...new Set(ks)];
}

function rankDocIds(options: { list: RunList; order: RunOrder; queryId: string }): string[] {
  const { list, queryId } = options;
  const isIdList = list.length > 0 && typeof list[0] === 'string';
  let ids: string[];
  if (isIdList) ids = [...(list as readonly string[])];
  else {
    const scored = list as readonly ScoredDoc[];
    for (const d of scored) {
      if (!Number.isFinite(d.score)) throw invalid({ message: `query ${queryId}: doc ${d.docId} has score ${d.score}`, hint: 'scores must be finite numbers', subject: queryId });
    }
    const ordered = options.order === 'trec_eval' ? [...scored].sort(compareTrecEval) : scored;
    ids = ordered.map((d) => d.docId);
  }
  // trec_eval refuses a topic that lists a document twice; a duplicate would inflate every metric.
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) throw invalid({ message: `query ${queryId} lists document ${id} twice`, hint: 'de-duplicate the run before evaluating it', subject: queryId });
    seen.add(id);
  }
  return ids;
}

/** trec_eval's comp_sim_docno: score descending, then docno descending by strcmp (UTF-8 byte order). */
function compareTrecEval(a: ScoredDoc, b: ScoredDoc): number {
  if (a.score !== b.score) return b.score - a.score;
  return compareCodePoints(b.docId, a.docId);
}

/**
 * Code point order equals UTF-8 byte order (what strcmp sees); plain `<` on JS strings compares UTF-16
 * code units, which disagrees for astral characters against U+E000..U+FFFF.
 */
function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const ca = a.codePointAt(i) ?? 0;
    const cb = b.codePointAt(i) ?? 0;
    if (ca !== cb) return ca < cb ? -1 : 1;
    if (ca > 0xffff) i++;
  }
  return a.length - b.length;
}

/**
 * Percentile by the nearest-rank method: the smallest value with at least p% of the values at or below it
 * (rank ceil(p/100 · n) in ascending order; p = 0 gives the minimum). It always returns an observed value,
 * which is what a latency p95 should be. NaN for an empty list.
 */
export function percentile(values: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) throw invalid({ message: `percentile ${p} is outside 0..100`, hint: 'pass p between 0 and 100, e.g. 95' });
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? Number.NaN;
}

export interface WriteTrecRunOptions {
  run: Run;
  /** The run name in the last column; no white space. */
  tag: string;
  order?: RunOrder;
}

/**
 * Serializes a run as TREC run lines `qid Q0 docid rank score tag`, rank from 1, one line per document,
 * queries in the run's iteration order. Lists are ordered as `evaluateRun` orders them (default
 * `trec_eval`), so the written ranks agree with what trec_eval will compute. An id list gets descending
 * pseudo-scores (n, n-1, …) so trec_eval keeps its order.
 */
export function writeTrecRun(options: WriteTrecRunOptions): string {
  checkTrecField({ value: options.tag, what: 'tag' });
  const order = options.order ?? 'trec_eval';
  const lines: string[] = [];
  for (const [queryId, list] of options.run) {
    checkTrecField({ value: queryId, what: 'query id' });
    for (const [i, doc] of scoredInOrder({ list, order, queryId }).entries()) {
      checkTrecField({ value: doc.docId, what: 'document id' });
      lines.push(`${queryId} Q0 ${doc.docId} ${i + 1} ${doc.score} ${options.tag}`);
    }
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

function scoredInOrder(options: { list: RunList; order: RunOrder; queryId: string }): ScoredDoc[] {
  const { list } = options;
  if (list.length > 0 && typeof list[0] === 'string') {
    const ids = list as readonly string[];
    return ids.map((docId, i) => ({ docId, score: ids.length - i }));
  }
  const scored = list as readonly ScoredDoc[];
  const ranked = rankDocIds(options);
  const scoreOf = new Map(scored.map((d) => [d.docId, d.score]));
  return ranked.map((docId) => ({ docId, score: scoreOf.get(docId) ?? 0 }));
}

function checkTrecField(options: { value: string; what: string }): void {
  // The format is split on white space, so an id with a space would shift every column after it.
  if (options.value.length === 0 || /\s/.test(options.value)) {
    throw invalid({ message: `${options.what} ${JSON.stringify(options.value)} is empty or contains white space`, hint: 'TREC run fields are white-space separated; rename it' });
  }
}

function invalid(options: { message: string; hint: string; subject?: string }): LoreError {
  return new LoreError({ code: 'INVALID_ARGUMENT', ...options });
}
