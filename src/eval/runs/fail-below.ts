import { LoreError } from '../../spec/errors.js';
import type { MetricSummary } from '../../spec/eval-runs.js';

/** `--fail-below faithfulness=0.8`: the run fails (exit code 1) when the metric's mean is below the value. */
export interface Threshold {
  metric: string;
  value: number;
}

/** Metric names as typed: case-insensitive, `-` for `_` (answer-relevance = answer_relevance). */
export function normalizeMetricName(name: string): string {
  return name.trim().toLowerCase().replaceAll('-', '_');
}

export function parseThreshold(text: string): Threshold {
  const i = text.lastIndexOf('=');
  const metric = i > 0 ? normalizeMetricName(text.slice(0, i)) : '';
  const value = i > 0 ? Number(text.slice(i + 1)) : Number.NaN;
  if (!metric || !Number.isFinite(value) || value < 0 || value > 1 || text.slice(i + 1).trim() === '') {
    throw new LoreError({ code: 'INVALID_ARGUMENT', message: `--fail-below "${text}" is not metric=value with a value from 0 to 1`, hint: 'e.g. --fail-below faithfulness=0.8 --fail-below ndcg@10=0.35' });
  }
  return { metric, value };
}

/** Refuses a threshold on a metric the run does not compute, before anything runs. */
export function checkThresholdMetrics(thresholds: readonly Threshold[], known: readonly string[]): void {
  for (const t of thresholds) {
    if (!known.includes(t.metric)) {
      throw new LoreError({ code: 'INVALID_ARGUMENT', message: `--fail-below: unknown metric "${t.metric}"`, hint: `use one of ${known.join(', ')}`, subject: t.metric });
    }
  }
}

export interface ThresholdFailure extends Threshold {
  /** The run's mean; null when no item was scored (which fails any threshold). */
  actual: number | null;
}

/** The thresholds the run falls below. */
export function failedThresholds(metrics: Record<string, MetricSummary>, thresholds: readonly Threshold[]): ThresholdFailure[] {
  const out: ThresholdFailure[] = [];
  for (const t of thresholds) {
    const mean = metrics[t.metric]?.mean ?? null;
    if (mean === null || mean < t.value) out.push({ ...t, actual: mean });
  }
  return out;
}

export function describeFailure(f: ThresholdFailure): string {
  return f.actual === null ? `${f.metric}: no item was scored (threshold ${f.value})` : `${f.metric} ${f.actual.toFixed(4)} is below ${f.value}`;
}
