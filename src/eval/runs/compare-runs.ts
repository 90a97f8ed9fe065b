import type { StoredEvalRun } from '../../spec/eval-runs.js';

/** Scores closer than this are a tie (they differ only by floating-point noise). */
const TIE = 1e-9;

export interface MetricComparison {
  metric: string;
  /** Means of the baseline (A) and the candidate (B); null where a run has none. */
  a: number | null;
  b: number | null;
  /** b − a, where both exist. */
  delta: number | null;
  /** Items scored in both runs, and how many B scored higher (wins), lower (losses) or the same (ties). */
  compared: number;
  wins: number;
  losses: number;
  ties: number;
}

export interface ItemComparison {
  itemId: string;
  input: string;
  /** Metric → the two scores and their difference (null where either is missing). */
  scores: Record<string, { a: number | null; b: number | null; delta: number | null }>;
}

/** A setting of the two runs (from their stored config), e.g. `pipeline`: `none` in A, `window:1` in B. */
export interface SettingComparison {
  setting: string;
  a: SettingValue;
  b: SettingValue;
}

type SettingValue = string | number | boolean | null;

export interface RunComparison {
  a: { id: string; name: string | null; createdAt: string; pipeline: string };
  b: { id: string; name: string | null; createdAt: string; pipeline: string };
  /** The settings that differ between the runs (scalar config values only; per-run figures such as latency left out). */
  settings: SettingComparison[];
  sameDataset: boolean;
  metrics: MetricComparison[];
  items: ItemComparison[];
  /** Items in only one of the runs. */
  onlyInA: string[];
  onlyInB: string[];
  notes: string[];
}

/**
 * Run B against baseline run A: the change of each mean, and item by item (matched by item id) how often
 * B scored higher, lower or the same. Means are each run's own (over its scored items), so they can move
 * even where no common item changed; the per-item counts are the like-for-like view.
 */
export function compareRuns(a: StoredEvalRun, b: StoredEvalRun): RunComparison {
  const notes: string[] = [];
  if (a.run.kind !== b.run.kind) notes.push(`Comparing a ${a.run.kind} run with a ${b.run.kind} run: only metrics both have are compared.`);
  const sameDataset = a.run.datasetHash === b.run.datasetHash;
  if (!sameDataset) notes.push(`The runs are on different data (${a.run.dataset} ${a.run.datasetHash.slice(0, 8)} vs ${b.run.dataset} ${b.run.datasetHash.slice(0, 8)}): only items with the same id are compared.`);
  const names = [...Object.keys(a.run.metrics), ...Object.keys(b.run.metrics).filter((m) => !(m in a.run.metrics))];
  const bItems = new Map(b.items.map((i) => [i.itemId, i]));
  const aIds = new Set(a.items.map((i) => i.itemId));
  const items: ItemComparison[] = [];
  for (const item of a.items) {
    const other = bItems.get(item.itemId);
    if (!other) continue;
    const scores: ItemComparison['scores'] = {};
    for (const m of names) {
      const sa = finite(item.scores[m]);
      const sb = finite(other.scores[m]);
      scores[m] = { a: sa, b: sb, delta: sa !== null && sb !== null ? sb - sa : null };
    }
    items.push({ itemId: item.itemId, input: item.input || other.input, scores });
  }
  const metrics = names.map((metric): MetricComparison => {
    const ma = finite(a.run.metrics[metric]?.mean);
    const mb = finite(b.run.metrics[metric]?.mean);
    let wins = 0;
    let losses = 0;
    let ties = 0;
    for (const item of items) {
      const d = item.scores[metric]?.delta;
      if (d === null || d === undefined) continue;
      if (d > TIE) wins++;
      else if (d < -TIE) losses++;
      else ties++;
    }
    return { metric, a: ma, b: mb, delta: ma !== null && mb !== null ? mb - ma : null, compared: wins + losses + ties, wins, losses, ties };
  });
  return {
    a: { id: a.run.id, name: a.run.name, createdAt: a.run.createdAt, pipeline: pipelineOf(a) },
    b: { id: b.run.id, name: b.run.name, createdAt: b.run.createdAt, pipeline: pipelineOf(b) },
    settings: differingSettings({ ...a.run.config, pipeline: pipelineOf(a) }, { ...b.run.config, pipeline: pipelineOf(b) }),
    sameDataset,
    metrics,
    items,
    onlyInA: a.items.filter((i) => !bItems.has(i.itemId)).map((i) => i.itemId),
    onlyInB: b.items.filter((i) => !aIds.has(i.itemId)).map((i) => i.itemId),
    notes,
  };
}

/** `pipeline none → window:1, k 8 → 3`: the settings that differ, for summaries and reports ('' when none). */
export function describeSettingChanges(settings: SettingComparison[]): string {
  return settings.map((s) => `${s.setting} ${String(s.a)} → ${String(s.b)}`).join(', ');
}

/** The run's retrieval pipeline as written in its settings; `none` for runs stored before pipelines were recorded. */
function pipelineOf(r: StoredEvalRun): string {
  const p = r.run.config['pipeline'];
  return typeof p === 'string' ? p : 'none';
}

/** Outcomes of a run rather than choices made for it: they differ every time and say nothing about the setup. */
const OUTCOMES = new Set(['judgeStats', 'latencyMs', 'documents']);

function differingSettings(a: Record<string, unknown>, b: Record<string, unknown>): SettingComparison[] {
  const keys = [...Object.keys(a), ...Object.keys(b).filter((k) => !(k in a))];
  const out: SettingComparison[] = [];
  for (const key of keys) {
    if (OUTCOMES.has(key)) continue;
    const va = settingValue(a[key]);
    const vb = settingValue(b[key]);
    if (va === undefined || vb === undefined || va === vb) continue;
    out.push({ setting: key, a: va, b: vb });
  }
  return out;
}

/** Scalars as they are, absent as null; objects and arrays are not compared (undefined). */
function settingValue(v: unknown): SettingValue | undefined {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return undefined;
}

function finite(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
