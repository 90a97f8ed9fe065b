/**
 * The score of one metric on one test item, and the summary of a metric over a run. A score is always a
 * finite number in [0, 1] or absent: a judge that failed is recorded as `failed` with its reason, a metric
 * that does not apply to the item (no reference answer, an answer that claims nothing) as `skipped`. Means
 * are taken over the scored items only, and the counts of the others are reported beside them.
 */

export const RAG_METRICS = ['faithfulness', 'answer_relevance', 'context_precision', 'context_recall', 'answer_correctness'] as const;
export type RagMetric = (typeof RAG_METRICS)[number];

/** How a score was reached: a judge model's verdicts, or the judge-free lexical checks. */
export type MetricMethod = 'judge' | 'lexical';

export type MetricResult =
  | { status: 'scored'; score: number; method: MetricMethod; detail?: Record<string, unknown> }
  | { status: 'failed'; reason: string; method: MetricMethod }
  | { status: 'skipped'; reason: string; method: MetricMethod };

/** A metric over a run: the mean of the scored items; `null` when none was scored. */
export interface MetricSummary {
  mean: number | null;
  scored: number;
  failed: number;
  skipped: number;
}

/**
 * A score that is safe to average: NaN, ±Infinity and non-numbers are refused (the caller records a
 * failure); a finite number outside [0, 1] (a rounding error, or a judge's 1.0000001) is clamped.
 */
export function validScore(value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  return Math.min(1, Math.max(0, value));
}

export function scored(score: number, method: MetricMethod, detail?: Record<string, unknown>): MetricResult {
  const value = validScore(score);
  if (value === undefined) return { status: 'failed', reason: `the score came out as ${String(score)}`, method };
  return detail ? { status: 'scored', score: value, method, detail } : { status: 'scored', score: value, method };
}

export function failed(reason: string, method: MetricMethod): MetricResult {
  return { status: 'failed', reason, method };
}

export function skipped(reason: string, method: MetricMethod): MetricResult {
  return { status: 'skipped', reason, method };
}

/** Mean over the scored values, with counts; values that are not valid scores count as failed. */
export function summarize(results: ReadonlyArray<MetricResult | undefined>): MetricSummary {
  let sum = 0;
  let n = 0;
  let failedCount = 0;
  let skippedCount = 0;
  for (const r of results) {
    if (!r || r.status === 'skipped') {
      skippedCount++;
      continue;
    }
    const value = r.status === 'scored' ? validScore(r.score) : undefined;
    if (value === undefined) {
      failedCount++;
      continue;
    }
    sum += value;
    n++;
  }
  return { mean: n === 0 ? null : validScore(sum / n) ?? null, scored: n, failed: failedCount, skipped: skippedCount };
}

/** Summary of plain per-item scores (`null` = not scored, counted as failed), e.g. retrieval metrics. */
export function summarizeScores(values: ReadonlyArray<number | null | undefined>): MetricSummary {
  return summarize(values.map((v) => (v === null || v === undefined ? { status: 'failed', reason: 'no score', method: 'lexical' } : scored(v, 'lexical'))));
}
