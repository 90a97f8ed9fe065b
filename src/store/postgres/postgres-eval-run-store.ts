import type pg from 'pg';
import { pickEvalRun } from '../pick-eval-run.js';
import type { EvalItem, EvalKind, EvalRun, EvalRunStore, MetricSummary } from '../../spec/eval-runs.js';
import { jsonValue, pgTransaction } from './pg-transaction.js';

interface RunRow {
  id: string;
  kind: EvalKind;
  name: string | null;
  dataset: string;
  dataset_hash: string;
  config: unknown;
  metrics: unknown;
  notes: unknown;
  created_at: string;
  item_count: string | number;
}

interface ItemRow {
  item_id: string;
  input: string;
  output: unknown;
  scores: unknown;
  error: string | null;
}

const RUN_SELECT = `SELECT r.id, r.kind, r.name, r.dataset, r.dataset_hash, r.config, r.metrics, r.notes, r.created_at,
  (SELECT count(*) FROM eval_items i WHERE i.run_id = r.id) AS item_count FROM eval_runs r`;
const NEWEST_FIRST = 'ORDER BY r.created_at DESC, r.seq DESC';
function toRun(row: RunRow): EvalRun {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    dataset: row.dataset,
    datasetHash: row.dataset_hash,
    config: jsonValue<Record<string, unknown>>(row.config, {}),
    metrics: jsonValue<Record<string, MetricSummary>>(row.metrics, {}),
    notes: jsonValue<string[]>(row.notes, []),
    createdAt: row.created_at,
    itemCount: Number(row.item_count),
  };
}

function toItem(row: ItemRow): EvalItem {
  return {
    itemId: row.item_id,
    input: row.input,
    output: jsonValue<Record<string, unknown>>(row.output, {}),
    scores: jsonValue<Record<string, number | null>>(row.scores, {}),
    error: row.error,
  };
}

/** Evaluation runs in PostgreSQL; the same lookups (`latest~N`, prefixes, names) and errors as SQLite. */
export function createPostgresEvalRunStore(pool: pg.Pool): EvalRunStore {
  const byKind = (kind: EvalKind | undefined, params: unknown[]) => {
    if (!kind) return '';
    params.push(kind);
    return ` WHERE r.kind = $${params.length}`;
  };

  return {
    async saveRun({ run, items }) {
      await pgTransaction(pool, async (client) => {
        await client.query('INSERT INTO eval_runs (id, kind, name, dataset, dataset_hash, config, metrics, notes, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)', [
          run.id,
          run.kind,
          run.name,
          run.dataset,
          run.datasetHash,
          JSON.stringify(run.config),
          JSON.stringify(run.metrics),
          JSON.stringify(run.notes),
          run.createdAt,
        ]);
        // One statement for all items: a run of thousands of questions is one round trip, not thousands.
        const rows = items.map((item, position) => ({ item_id: item.itemId, position, input: item.input, output: item.output, scores: item.scores, error: item.error }));
        await client.query(
          `INSERT INTO eval_items (run_id, item_id, position, input, output, scores, error)
           SELECT $1, x.item_id, x.position, x.input, x.output, x.scores, x.error
           FROM json_to_recordset($2::json) AS x(item_id text, position integer, input text, output json, scores json, error text)`,
          [run.id, JSON.stringify(rows)],
        );
      });
    },
    async listRuns(options = {}) {
      const params: unknown[] = [];
      const where = byKind(options.kind, params);
      const limit = options.limit && options.limit > 0 ? ` LIMIT ${Math.floor(options.limit)}` : '';
      return (await pool.query<RunRow>(`${RUN_SELECT}${where} ${NEWEST_FIRST}${limit}`, params)).rows.map(toRun);
    },
    async getRun(ref, options = {}) {
      const params: unknown[] = [];
      const rows = (await pool.query<RunRow>(`${RUN_SELECT}${byKind(options.kind, params)} ${NEWEST_FIRST}`, params)).rows;
      const row = pickEvalRun({ rows, ref });
      const items = (await pool.query<ItemRow>('SELECT item_id, input, output, scores, error FROM eval_items WHERE run_id = $1 ORDER BY position, item_id', [row.id])).rows.map(toItem);
      return { run: toRun(row), items };
    },
    async deleteRun(id) {
      return ((await pool.query('DELETE FROM eval_runs WHERE id = $1', [id])).rowCount ?? 0) > 0;
    },
  };
}
