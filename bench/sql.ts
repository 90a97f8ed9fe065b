/**
 * Text-to-SQL execution accuracy on the wind-farm test set (src/sql/test-support: 6 tables, 52 questions in
 * English and Chinese with gold SQL), on SQLite and on PostgreSQL (PGlite over the wire protocol).
 *
 * Run: `npm run build && node --import tsx bench/sql.ts [--model SPEC] [--dialect sqlite|postgres|both] [--limit N] [--no-write]`.
 *
 * With --model (any spec `lore` takes: ollama:qwen2.5-coder:7b, openai:gpt-4o-mini, gguf:PATH…) it measures
 * that model. Without it, it runs a scripted model that knows the gold SQL, twice: once answering in every
 * reply shape (JSON, fenced, bare, after prose…), once with a broken first reply for every fourth question.
 * That measures Lore's side — prompt, extraction, validation, execution, repair — not a model.
 *
 * A question counts as correct when the rows of the query Lore ran equal the gold query's rows (order
 * compared only when the gold query orders them; column names ignored), as in Spider and BIRD.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { modelAccounting, modelEnvironment } from '../src/cli/commands/model-environment.js';
import { resolveLanguageModel } from '../src/models/resolve-model.js';
import type { LanguageModel } from '../src/spec/models.js';
import { askSql, type SqlFailure } from '../src/sql/ask-sql.js';
import { executeReadOnly } from '../src/sql/execute-read-only.js';
import { ordersRows, sameResult } from '../src/sql/execution-accuracy.js';
import { introspectSchema } from '../src/sql/introspect-schema.js';
import { openSqlDatabase } from '../src/sql/open-sql-database.js';
import type { SqlDatabase } from '../src/sql/sql-database.js';
import type { SqlDialect } from '../src/sql/sql-dialect.js';
import { startGoldSqlModel } from '../src/sql/test-support/gold-sql-model.js';
import { startWindFarmPostgres } from '../src/sql/test-support/pglite-server.js';
import { createWindFarmSqlite, WIND_FARM_DESCRIPTIONS } from '../src/sql/test-support/wind-farm.js';
import { goldSql, loadWindFarmQuestions, type GoldQuestion } from '../src/sql/test-support/wind-farm-questions.js';
import { writeBenchmarkSection } from './report.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const { values: args } = parseArgs({
  options: {
    model: { type: 'string' },
    dialect: { type: 'string', default: 'both' },
    limit: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
  },
});
if (!['sqlite', 'postgres', 'both'].includes(args.dialect!)) throw new Error('--dialect must be sqlite, postgres or both');
const dialects: SqlDialect[] = args.dialect === 'both' ? ['sqlite', 'postgres'] : [args.dialect as SqlDialect];
const questions = loadWindFarmQuestions().slice(0, args.limit ? Number(args.limit) : undefined);

interface Outcome {
  q: GoldQuestion;
  correct: boolean;
  firstTry: boolean;
  attempts: number;
  failures: SqlFailure[];
  error?: string;
  ms: number;
  tokens: number;
}

async function evaluate(options: { model: LanguageModel; db: SqlDatabase }): Promise<Outcome[]> {
  const { model, db } = options;
  // SQLite holds no comments: the descriptions go in as the sidecar, as `lore sql --describe` would pass them.
  const schema = await introspectSchema({ db, descriptions: db.dialect === 'sqlite' ? WIND_FARM_DESCRIPTIONS : undefined });
  const outcomes: Outcome[] = [];
  for (const q of questions) {
    const gold = await executeReadOnly({ db, sql: goldSql(q, db.dialect), maxRows: 10_000 });
    const started = performance.now();
    try {
      const result = await askSql({ question: q.question, db, model, schema, maxRows: 10_000, answer: false });
      const correct = sameResult({ gold, predicted: result, ordered: ordersRows(gold.sql) });
      outcomes.push({ q, correct, firstTry: correct && result.attempts === 1, attempts: result.attempts, failures: result.failures, ms: performance.now() - started, tokens: result.usage.inputTokens + result.usage.outputTokens });
    } catch (error) {
      outcomes.push({ q, correct: false, firstTry: false, attempts: 2, failures: [], error: (error as Error).message, ms: performance.now() - started, tokens: 0 });
    }
    process.stderr.write(outcomes.at(-1)!.correct ? '.' : 'x');
  }
  process.stderr.write('\n');
  return outcomes;
}

const pct = (n: number, d: number) => (d === 0 ? '–' : `${((100 * n) / d).toFixed(1)}%`);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.floor((s.length - 1) / 2)]!;
};

function row(label: string, dialect: SqlDialect, outcomes: Outcome[]): string {
  const en = outcomes.filter((o) => o.q.lang === 'en');
  const zh = outcomes.filter((o) => o.q.lang === 'zh');
  const count = (xs: Outcome[], f: (o: Outcome) => boolean) => xs.filter(f).length;
  return `| ${label} | ${dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL'} | ${outcomes.length} | **${pct(count(outcomes, (o) => o.correct), outcomes.length)}** | ${pct(count(en, (o) => o.correct), en.length)} | ${pct(count(zh, (o) => o.correct), zh.length)} | ${pct(count(outcomes, (o) => o.firstTry), outcomes.length)} | ${count(outcomes, (o) => o.attempts > 1 && o.correct)} | ${count(outcomes, (o) => o.error !== undefined)} | ${Math.round(median(outcomes.map((o) => o.ms)))} ms | ${Math.round(outcomes.reduce((a, o) => a + o.tokens, 0) / Math.max(1, outcomes.length))} |`;
}

function misses(outcomes: Outcome[]): string[] {
  return outcomes.filter((o) => !o.correct).map((o) => `- ${o.q.id} ${o.q.question} — ${o.error ?? (o.failures.at(-1) ? `repaired after: ${o.failures.at(-1)!.error}` : 'ran, but returned different rows')}`);
}

/** A model spec as a short name for the report: no URLs, no paths. */
function modelName(spec: string): string {
  if (spec.startsWith('openai-compatible:')) return spec.slice(spec.lastIndexOf('#') + 1);
  if (spec.startsWith('gguf:')) return `gguf:${basename(spec.slice(5))}`;
  return spec;
}

const dir = mkdtempSync(join(tmpdir(), 'lore-bench-sql-'));
const sqlitePath = join(dir, 'wind.db');
createWindFarmSqlite(sqlitePath);
const pg = dialects.includes('postgres') ? await startWindFarmPostgres() : undefined;
const dbs: SqlDatabase[] = [];
for (const dialect of dialects) dbs.push(await openSqlDatabase({ url: dialect === 'sqlite' ? `sqlite:${sqlitePath}` : pg!.url }));

const rows: string[] = [];
const notes: string[] = [];
let section: string;
try {
  if (args.model) {
    const model = resolveLanguageModel({ spec: args.model, ...modelEnvironment(), ...modelAccounting() });
    for (const db of dbs) {
      const outcomes = await evaluate({ model, db });
      rows.push(row(modelName(args.model), db.dialect, outcomes));
      notes.push(...misses(outcomes).map((m) => `${m} (${db.dialect})`));
    }
    await model.close?.();
    section = `Text-to-SQL: ${modelName(args.model)}`;
  } else {
    const gold = await startGoldSqlModel({ questions });
    const broken = await startGoldSqlModel({
      questions,
      // Every fourth question's first reply names a column that does not exist, as models often do.
      firstReply: Object.fromEntries(questions.filter((_, i) => i % 4 === 0).map((q) => [q.id, (g: GoldQuestion, d: SqlDialect) => goldSql(g, d).replace(/\bFROM (\w+)/, 'FROM $1_table')])),
    });
    try {
      for (const [label, server] of [
        ['scripted gold SQL, 8 reply shapes', gold],
        ['scripted, first reply broken for 1 in 4', broken],
      ] as const) {
        const model = resolveLanguageModel({ spec: server.spec });
        for (const db of dbs) {
          const outcomes = await evaluate({ model, db });
          rows.push(row(label, db.dialect, outcomes));
          notes.push(...misses(outcomes).map((m) => `${m} (${label}, ${db.dialect})`));
        }
      }
    } finally {
      await gold.close();
      await broken.close();
    }
    section = 'Text-to-SQL pipeline (scripted model)';
    console.error('\nThis measured Lore\'s pipeline with a scripted model that knows the gold SQL. To measure a real model:\n  node --import tsx bench/sql.ts --model ollama:qwen2.5-coder:7b\n  node --import tsx bench/sql.ts --model openai:gpt-4o-mini --dialect sqlite\n');
  }
} finally {
  for (const db of dbs) await db.close();
  await pg?.close();
  rmSync(dir, { recursive: true, force: true });
}

const body = [
  `Run: \`node --import tsx bench/sql.ts${args.model ? ` --model ${modelName(args.model)}` : ''}\` on ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} cores. Test set: the wind-farm database of \`src/sql/test-support/\` (6 tables with foreign keys, dates, NULLs, Chinese names; ${questions.length} questions, ${questions.filter((q) => q.lang === 'zh').length} in Chinese, with gold SQL), on SQLite and on PostgreSQL (PGlite over the wire protocol). Execution accuracy (EX): the rows of the query Lore ran equal the gold query's rows (order compared only when the gold query orders them). "First try": correct without a repair; "repaired": correct after the one repair turn; "no SQL that runs": both attempts failed or were refused. Latency covers SQL generation and execution, not the answer in words.`,
  '',
  '| Model | Database | Questions | EX | EX (en) | EX (zh) | First try | Repaired | No SQL that runs | Median latency | Tokens / question |',
  '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows,
  '',
  args.model
    ? 'Misses:'
    : 'The scripted model knows the gold SQL, so these rows measure Lore\'s side: that every reply shape is read (JSON, ```sql fences, bare SQL, SQL after prose or a `<think>` block, labelled), that gold queries pass the validator on both dialects, and that one repair turn with the database\'s error recovers a broken first query. A real model\'s accuracy is measured with `--model SPEC`; no model weights or API keys were available where this ran.',
  ...(notes.length > 0 ? ['', ...notes] : args.model ? ['', 'none'] : []),
].join('\n');
console.log(`## ${section}\n\n${body}`);
if (!args['no-write']) writeBenchmarkSection({ file: join(ROOT, 'docs', 'benchmarks.md'), section, body });
