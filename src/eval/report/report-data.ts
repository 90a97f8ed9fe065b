import type { EvalItem, StoredEvalRun } from '../../spec/eval-runs.js';
import { compareRuns, type RunComparison } from '../runs/compare-runs.js';

/** What every report format renders: a run, and optionally a baseline run it is compared with. */
export interface ReportInput {
  current: StoredEvalRun;
  baseline?: StoredEvalRun;
}

export interface ReportData extends ReportInput {
  metricNames: string[];
  comparison?: RunComparison;
}

export function reportData(input: ReportInput): ReportData {
  return {
    ...input,
    metricNames: Object.keys(input.current.run.metrics),
    ...(input.baseline ? { comparison: compareRuns(input.baseline, input.current) } : {}),
  };
}

/** Scores of one metric over a run's items that have one. */
export function metricValues(items: readonly EvalItem[], metric: string): number[] {
  return items.map((i) => i.scores[metric]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
}

/** Why an item has no score for a metric: the recorded failure or skip reason. */
export function missingReason(item: EvalItem, metric: string): { kind: 'failed' | 'skipped'; reason: string } | undefined {
  const failures = item.output['failures'] as Record<string, string> | undefined;
  const skipped = item.output['skipped'] as Record<string, string> | undefined;
  if (failures?.[metric]) return { kind: 'failed', reason: failures[metric] };
  if (skipped?.[metric]) return { kind: 'skipped', reason: skipped[metric] };
  if (item.error) return { kind: 'failed', reason: item.error };
  return undefined;
}

export const formatScore = (v: number | null | undefined) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(3) : '–');
export const formatDelta = (v: number | null | undefined) => (typeof v === 'number' && Number.isFinite(v) ? `${v > 0 ? '+' : v < 0 ? '−' : '±'}${Math.abs(v).toFixed(3)}` : '–');
