import type Database from 'better-sqlite3';
import { pickEvalRun } from '../pick-eval-run.js';
import type { EvalItem, EvalKind, EvalRun, EvalRunStore, MetricSummary, StoredEvalRun } from '../../spec/eval-runs.js';

interface RunRow {
  id: string;
  kind: EvalKind;
  name: string | null;
  dataset: string;
  dataset_hash: string;
  config: string;
  metrics: string;
  notes: string;
  created_at: string;
  item_count: number;
}

interface ItemRow {
  item_id: string;
  input: string;
  output: string;
  scores: string;
  error: string | null;
}

const RUN_COLUMNS = `r.*, (SELECT count(*) FROM eval_items i WHERE i.run_id = r.id) AS item_count`;

function toRun(row: RunRow): EvalRun {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    dataset: row.dataset,
    datasetHash: row.dataset_hash,
    config: JSON.parse(row.config) as Record<string, unknown>,
    metrics: JSON.parse(row.metrics) as Record<string, MetricSummary>,
    notes: JSON.parse(row.notes) as string[],
    createdAt: row.created_at,
    itemCount: row.item_count,
  };
}

function toItem(row: ItemRow): EvalItem {
  const { position: _position, ...output } = JSON.parse(row.output) as Record<string, unknown>;
  return {
    itemId: row.item_id,
    input: row.input,
    output,
    scores: JSON.parse(row.scores) as Record<string, number | null>,
    error: row.error,
  };
}

/** Evaluation runs in a Lore SQLite file (schema v6), sharing the store's connection (synchronous work, async methods). */
export function createSqliteEvalRunStore(db: Database.Database): EvalRunStore {
  const items = (runId: string) =>
    // eval_items has no row order (WITHOUT ROWID): the test set's order travels as output.position.
    db
      .prepare<[string], ItemRow>("SELECT item_id, input, output, scores, error FROM eval_items WHERE run_id = ? ORDER BY json_extract(output, '$.position'), item_id")
      .all(runId)
      .map(toItem);
  const byKind = (kind: EvalKind | undefined) => (kind ? ` WHERE r.kind = '${kind === 'rag' ? 'rag' : 'retrieval'}'` : '');

  return {
    async saveRun({ run, items: list }) {
      db.transaction(() => {
        db.prepare('INSERT INTO eval_runs (id, kind, name, dataset, dataset_hash, config, metrics, notes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
          run.id,
          run.kind,
          run.name,
          run.dataset,
          run.datasetHash,
          JSON.stringify(run.config),
          JSON.stringify(run.metrics),
          JSON.stringify(run.notes),
          run.createdAt,
        );
        const insert = db.prepare('INSERT INTO eval_items (run_id, item_id, input, output, scores, error) VALUES (?, ?, ?, ?, ?, ?)');
        list.forEach((item, position) => insert.run(run.id, item.itemId, item.input, JSON.stringify({ ...item.output, position }), JSON.stringify(item.scores), item.error));
      })();
    },
    async listRuns(options = {}) {
      const limit = options.limit && options.limit > 0 ? ` LIMIT ${Math.floor(options.limit)}` : '';
      return db.prepare<[], RunRow>(`SELECT ${RUN_COLUMNS} FROM eval_runs r${byKind(options.kind)} ORDER BY r.created_at DESC, r.rowid DESC${limit}`).all().map(toRun);
    },
    async getRun(ref, options = {}) {
      const rows = db.prepare<[], RunRow>(`SELECT ${RUN_COLUMNS} FROM eval_runs r${byKind(options.kind)} ORDER BY r.created_at DESC, r.rowid DESC`).all();
      const row = pickEvalRun({ rows, ref });
      return { run: toRun(row), items: items(row.id) };
    },
    deleteRun: async (id) => db.prepare('DELETE FROM eval_runs WHERE id = ?').run(id).changes > 0,
  };
}
