import type pg from 'pg';
import type { JobBoard, SharedJob } from '../../spec/job-board.js';
import { jsonValue } from './pg-transaction.js';

interface JobRow {
  id: string;
  collection: string;
  status: string;
  created_at: string;
  view: unknown;
}

/** Jobs remembered on the board (as the server keeps the last 200 of its own in memory). */
const KEPT = 1000;
const TERMINAL = new Set(['done', 'failed', 'cancelled']);

function toJob(row: JobRow): SharedJob {
  return { id: row.id, collection: row.collection, status: row.status, createdAt: row.created_at, view: jsonValue<Record<string, unknown>>(row.view, {}) };
}

/** The job board in PostgreSQL (schema v4, `ingest_jobs`): one row per job, replaced on each publish. */
export function createPostgresJobBoard(pool: pg.Pool): JobBoard {
  return {
    async publish(job) {
      await pool.query(
        `INSERT INTO ingest_jobs (id, collection, status, created_at, updated_at, view) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at, view = excluded.view`,
        [job.id, job.collection, job.status, job.createdAt, new Date().toISOString(), JSON.stringify(job.view)],
      );
      if (TERMINAL.has(job.status)) {
        await pool.query(`DELETE FROM ingest_jobs WHERE id IN (SELECT id FROM ingest_jobs ORDER BY created_at DESC, id OFFSET ${KEPT})`);
      }
    },
    async get(id) {
      const row = (await pool.query<JobRow>('SELECT id, collection, status, created_at, view FROM ingest_jobs WHERE id = $1', [id])).rows[0];
      return row ? toJob(row) : undefined;
    },
    async list(options = {}) {
      const limit = Math.max(1, Math.min(KEPT, Math.floor(options.limit ?? 200)));
      return (await pool.query<JobRow>(`SELECT id, collection, status, created_at, view FROM ingest_jobs ORDER BY created_at DESC, id LIMIT ${limit}`)).rows.map(toJob);
    },
  };
}
