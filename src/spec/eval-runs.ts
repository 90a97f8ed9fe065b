/**
 * Stored evaluation runs (schema v6: `eval_runs`, `eval_items`): what was measured, on which data, with
 * which settings, the means, and every item's scores, so that two runs can be compared item by item.
 */
export type EvalKind = 'retrieval' | 'rag';

/** A metric over a run: the mean of the scored items (`null` when none was), and how many were not scored. */
export interface MetricSummary {
  mean: number | null;
  scored: number;
  /** Items whose score could not be computed (a judge that failed, a pipeline error): left out of the mean. */
  failed: number;
  /** Items the metric does not apply to (no reference answer, an answer that states nothing). */
  skipped: number;
}

export interface EvalRun {
  /** `rag-3fa9c1`, `retrieval-08b2e4`. */
  id: string;
  kind: EvalKind;
  name: string | null;
  /** The test set: a file or folder name. */
  dataset: string;
  /** SHA-256 of the test items: runs on different data say so when compared. */
  datasetHash: string;
  /** Settings that produced the run (retrieval mode, k, answer model, judge…). */
  config: Record<string, unknown>;
  /** Metric name → summary, in display order. */
  metrics: Record<string, MetricSummary>;
  notes: string[];
  createdAt: string;
  itemCount: number;
}

export interface EvalItem {
  itemId: string;
  /** The question or query. */
  input: string;
  /** What the pipeline produced and what the scores rest on (answer, contexts, verdicts, failure reasons). */
  output: Record<string, unknown>;
  /** Metric name → score in [0, 1], or null where it failed or does not apply (see `output.failures`). */
  scores: Record<string, number | null>;
  /** The pipeline failed for this item as a whole. */
  error: string | null;
}

export interface StoredEvalRun {
  run: EvalRun;
  items: EvalItem[];
}

/** Stored runs; every method returns a promise (SQLite or PostgreSQL behind it). */
export interface EvalRunStore {
  saveRun(stored: StoredEvalRun): Promise<void>;
  /** Newest first. */
  listRuns(options?: { kind?: EvalKind; limit?: number }): Promise<EvalRun[]>;
  /**
   * A run by id, unique id prefix, name (the newest of that name), `latest` / `latest~N` (N runs before
   * the newest), optionally of one kind. Rejects with NOT_FOUND, or INVALID_ARGUMENT for an ambiguous prefix.
   */
  getRun(ref: string, options?: { kind?: EvalKind }): Promise<StoredEvalRun>;
  deleteRun(id: string): Promise<boolean>;
}
