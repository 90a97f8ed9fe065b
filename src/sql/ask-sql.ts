import { LoreError, isLoreError } from '../spec/errors.js';
import type { LanguageModel, Usage } from '../spec/models.js';
import { answerFromRows } from './answer-from-rows.js';
import { executeReadOnly, isRefusal, type ExecutedQuery } from './execute-read-only.js';
import { generateSql } from './generate-sql.js';
import { introspectSchema } from './introspect-schema.js';
import { renderSchema } from './render-schema.js';
import { selectTables } from './select-tables.js';
import { DEFAULT_MAX_ROWS, type SqlDatabase, type SqlValue } from './sql-database.js';
import type { SqlDialect } from './sql-dialect.js';
import type { SqlDescriptions, SqlSchema } from './sql-schema.js';

export interface AskSqlOptions {
  question: string;
  db: SqlDatabase;
  /** Text-to-SQL needs a language model; there is no model-free fallback. */
  model: LanguageModel;
  /** A schema introspected earlier (reuse it across questions); otherwise it is read now. */
  schema?: SqlSchema;
  /** Descriptions for tables and columns the database does not describe itself (see `introspectSchema`). */
  descriptions?: SqlDescriptions;
  /** Rows returned at most (default 200). */
  maxRows?: number;
  /** Statement time limit (default: the connection's, 15 s). */
  timeoutMs?: number;
  /** Budget for the schema in the prompt, in estimated tokens (default 4000). */
  schemaTokens?: number;
  /** Put the result into words with a second model call (default true). */
  answer?: boolean;
  signal?: AbortSignal;
}

/** An attempt that did not produce rows: what the model wrote and why it failed. */
export interface SqlFailure {
  /** The query; for `no-sql`, the reply itself (cut at 2,000 characters). */
  sql: string;
  error: string;
  kind: 'no-sql' | 'refused' | 'failed' | 'timeout';
}

export interface SqlAnswer {
  question: string;
  /** The statement that ran (comments and trailing semicolons removed). */
  sql: string;
  columns: string[];
  rows: SqlValue[][];
  truncated: boolean;
  /** The result in words; empty when `answer: false`. */
  answer: string;
  /** SQL generations: 1, or 2 when the first query was repaired. */
  attempts: number;
  /** Summed over every model call. */
  usage: Usage;
  /** The attempt that was repaired, if any. */
  failures: SqlFailure[];
  dialect: SqlDialect;
  model: string;
  /** Tables shown to the model. */
  tables: string[];
  ms: { generate: number; execute: number; answer: number };
}

/** One repair: a second attempt after an error, and no more (a model that fails twice rarely succeeds third). */
const MAX_ATTEMPTS = 2;

/**
 * Answers a question from a database: reads (or reuses) the schema, picks the tables that matter within a
 * token budget, has the model write a query, validates it and runs it read-only with a row cap and a time
 * limit. If the reply holds no SQL, or the query is refused or fails, the model sees the error once and
 * writes a corrected query. Finally a second call puts the result into words. Throws PARSE_ERROR (TIMEOUT
 * when the last attempt ran too long) with the last query and error when no attempt produced rows.
 */
export async function askSql(options: AskSqlOptions): Promise<SqlAnswer> {
  const { db, model, question, signal } = options;
  if (!question.trim()) throw new LoreError({ code: 'INVALID_ARGUMENT', message: 'The question is empty' });
  const schema = options.schema ?? (await introspectSchema({ db, descriptions: options.descriptions, signal }));
  const selected = selectTables({ schema, question, maxTokens: options.schemaTokens });
  const schemaText = renderSchema({ schema, tables: selected.tables });
  const usage: Usage = { inputTokens: 0, outputTokens: 0 };
  const add = (u: Usage) => {
    usage.inputTokens += u.inputTokens;
    usage.outputTokens += u.outputTokens;
    if (u.estimated) usage.estimated = true;
  };
  const ms = { generate: 0, execute: 0, answer: 0 };
  const failures: SqlFailure[] = [];
  let executed: ExecutedQuery | undefined;
  let attempts = 0;
  while (!executed && attempts < MAX_ATTEMPTS) {
    attempts++;
    const last = failures.at(-1);
    const previous = last && { sql: last.sql, error: last.error, ...(last.kind === 'no-sql' ? { reply: last.sql } : {}) };
    let started = performance.now();
    const generated = await generateSql({ model, question, dialect: db.dialect, schemaText, omittedTables: selected.omitted, previous, signal });
    ms.generate += performance.now() - started;
    add(generated.usage);
    if (!generated.sql) {
      failures.push({ sql: generated.raw.slice(0, 2000), error: 'The reply contains no SQL query. Reply with JSON: {"sql": "SELECT …"}.', kind: 'no-sql' });
      continue;
    }
    started = performance.now();
    try {
      executed = await executeReadOnly({ db, sql: generated.sql, maxRows: options.maxRows ?? DEFAULT_MAX_ROWS, timeoutMs: options.timeoutMs, signal });
    } catch (error) {
      if (!isLoreError(error) || error.code === 'ABORTED') throw error;
      if (error.code !== 'DATABASE_ERROR' && error.code !== 'TIMEOUT' && !isRefusal(error)) throw error;
      failures.push({ sql: generated.sql, error: error.message, kind: isRefusal(error) ? 'refused' : error.code === 'TIMEOUT' ? 'timeout' : 'failed' });
    } finally {
      ms.execute += performance.now() - started;
    }
  }
  if (!executed) {
    const last = failures.at(-1)!;
    throw new LoreError({
      code: last.kind === 'timeout' ? 'TIMEOUT' : 'PARSE_ERROR',
      message: `${model.id} wrote no query that runs in ${attempts} attempts. Last query: ${oneLine(last.sql, 500)} — ${last.error}`,
      hint: 'rephrase the question, describe tables and columns (--describe), or use a stronger model',
      subject: model.id,
    });
  }
  let answer = '';
  if (options.answer !== false) {
    const started = performance.now();
    const words = await answerFromRows({ model, question, sql: executed.sql, columns: executed.columns, rows: executed.rows, truncated: executed.truncated, signal });
    ms.answer = performance.now() - started;
    add(words.usage);
    answer = words.text;
  }
  return {
    question,
    sql: executed.sql,
    columns: executed.columns,
    rows: executed.rows,
    truncated: executed.truncated,
    answer,
    attempts,
    usage,
    failures,
    dialect: db.dialect,
    model: model.id,
    tables: selected.tables.map((t) => t.name),
    ms: { generate: Math.round(ms.generate), execute: Math.round(ms.execute), answer: Math.round(ms.answer) },
  };
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
