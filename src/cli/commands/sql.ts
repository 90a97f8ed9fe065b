import { readFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { resolveLanguageModel } from '../../models/resolve-model.js';
import { LoreError } from '../../spec/errors.js';
import { askSql, type SqlAnswer } from '../../sql/ask-sql.js';
import { cellText } from '../../sql/format-rows.js';
import { introspectSchema } from '../../sql/introspect-schema.js';
import { openSqlDatabase } from '../../sql/open-sql-database.js';
import { renderSchema } from '../../sql/render-schema.js';
import { DEFAULT_MAX_ROWS } from '../../sql/sql-database.js';
import type { SqlDescriptions } from '../../sql/sql-schema.js';
import { oneLine, table } from '../format.js';
import type { CommandContext, GlobalOptions } from '../main.js';
import { addGgufOptions, ggufSettings, type GgufCliOptions } from './gguf-options.js';
import { modelAccounting, modelEnvironment } from './model-environment.js';
import { printJson } from './open-store.js';

interface SqlCliOptions extends GgufCliOptions {
  model?: string;
  maxRows: number;
  timeout: number;
  describe?: string;
  schema?: boolean;
  answer: boolean;
}

function parsePositive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
}

function parseSeconds(value: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new InvalidArgumentError('expected a number of seconds above 0');
  return n;
}

/** Terminal columns of a line: East Asian wide characters take two, as `table` pads them. */
function displayWidth(text: string): number {
  let w = 0;
  for (const ch of text) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ? 2 : 1;
  return w;
}

/** Cells wider than this are cut in the terminal table (--json has them whole). */
const MAX_CELL = 60;

export function registerSql(program: Command, _context: CommandContext): void {
  const command = program.command('sql');
  addGgufOptions(command);
  command
    .description('answer a question from a SQLite or PostgreSQL database: the model writes a read-only query, Lore checks and runs it')
    .argument('[question]', 'the question, in English or Chinese')
    .option('--model <spec>', 'the language model that writes the SQL (required): ollama:MODEL, openai:MODEL, anthropic:MODEL, openai-compatible:URL#MODEL, gguf:PATH (default: $LORE_MODEL)')
    .option('--max-rows <n>', 'rows returned at most', parsePositive, DEFAULT_MAX_ROWS)
    .option('--timeout <seconds>', 'stop a query that runs longer than this', parseSeconds, 15)
    .option('--describe <file>', 'a JSON file of descriptions for tables and columns: {"orders": "…", "orders.status": "…"}')
    .option('--schema', 'print the schema as the model sees it, and stop (no model needed)')
    .option('--no-answer', 'skip the answer in words (one model call instead of two)')
    .addHelpText(
      'after',
      [
        '',
        'The database to query is named with the global --db option, which for this command means a SQL',
        'database instead of the Lore index: --db sqlite:PATH (a bare path is a SQLite file too) or',
        '--db postgres://user@host:5432/name (the password may come from PGPASSWORD). $LORE_DB is not used.',
        '',
        'Only single SELECT statements run: writes, ATTACH, PRAGMA, COPY, SET, stacked statements and',
        'functions with side effects are refused before reaching the database, which is opened read-only',
        '(SQLite) or queried in READ ONLY transactions that are rolled back (PostgreSQL).',
        '',
        'Examples:',
        '  lore sql "How many turbines are under maintenance?" --db sqlite:fleet.db --model ollama:qwen2.5-coder:7b',
        '  lore sql "每个风电场有多少台风机？" --db postgres://reader@localhost/fleet --model openai:gpt-4o-mini --json',
        '  lore sql --schema --db sqlite:fleet.db',
      ].join('\n'),
    )
    .action(async (question: string | undefined, opts: SqlCliOptions, cmd: Command) => {
      const global = cmd.optsWithGlobals<GlobalOptions>();
      // The global --db names the SQL database here; LORE_DB (Lore's own index) is deliberately not consulted.
      if (!global.db) {
        throw new LoreError({ code: 'INVALID_ARGUMENT', message: 'Name the database to query', hint: 'lore sql "question" --db sqlite:PATH or --db postgres://user@host/name' });
      }
      const descriptions = opts.describe ? readDescriptions(opts.describe) : undefined;
      if (!opts.schema) {
        if (!question?.trim()) throw new LoreError({ code: 'INVALID_ARGUMENT', message: 'the question is empty', hint: 'lore sql "your question" --db sqlite:PATH --model SPEC' });
      }
      const modelSpec = opts.model ?? (process.env['LORE_MODEL'] || undefined);
      if (!opts.schema && (!modelSpec || modelSpec === 'extractive')) {
        throw new LoreError({
          code: 'INVALID_ARGUMENT',
          message: 'Text-to-SQL needs a language model to write the query',
          hint: 'pass --model (e.g. --model ollama:qwen2.5-coder:7b) or set LORE_MODEL; `lore sql --schema` shows the schema without one',
        });
      }
      const db = await openSqlDatabase({ url: global.db, timeoutMs: Math.round(opts.timeout * 1000) });
      try {
        if (opts.schema) {
          const schema = await introspectSchema({ db, descriptions });
          if (global.json) printJson(schema);
          else process.stdout.write(`${renderSchema({ schema })}\n`);
          return;
        }
        const model = resolveLanguageModel({ spec: modelSpec!, ...modelEnvironment(), ...modelAccounting(), gguf: ggufSettings(opts) });
        try {
          const result = await askSql({ question: question!, db, model, descriptions, maxRows: opts.maxRows, answer: opts.answer });
          if (global.json) printJson(result);
          else printResult(result);
        } finally {
          await model.close?.();
        }
      } finally {
        await db.close();
      }
    });
}

function readDescriptions(file: string): SqlDescriptions {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new LoreError({ code: 'INVALID_ARGUMENT', message: `Cannot read descriptions from ${file}: ${(error as Error).message}`, hint: 'give a JSON object such as {"orders": "…", "orders.status": "…"}' });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) {
    throw new LoreError({ code: 'INVALID_ARGUMENT', message: `${file} must be a JSON object of strings`, hint: '{"orders": "Spare-part orders", "orders.status": "open, shipped or delivered"}' });
  }
  return parsed as SqlDescriptions;
}

function printResult(result: SqlAnswer): void {
  const lines: string[] = [];
  if (result.answer) lines.push(result.answer, '');
  lines.push(result.sql.replace(/^/gm, '  '), '');
  if (result.columns.length > 0) {
    const header = result.columns.map((c) => oneLine(c, MAX_CELL));
    const body = result.rows.map((row) => row.map((cell) => oneLine(cellText(cell), MAX_CELL)));
    const rendered = table([header, ...body]).split('\n');
    const width = Math.max(...rendered.map(displayWidth));
    lines.push(rendered[0]!, '─'.repeat(Math.min(width, 120)), ...rendered.slice(1));
  }
  lines.push(`(${result.rows.length} row${result.rows.length === 1 ? '' : 's'}${result.truncated ? `; more matched — only the first ${result.rows.length} are shown (--max-rows)` : ''})`);
  process.stdout.write(`${lines.join('\n')}\n`);
  const usage = `${result.usage.estimated ? '~' : ''}${result.usage.inputTokens} input + ${result.usage.outputTokens} output tokens`;
  const repaired = result.failures.length > 0 ? ` · repaired after: ${oneLine(result.failures[0]!.error, 160)}` : '';
  const note = `Query written by ${result.model} · ${result.attempts} attempt${result.attempts === 1 ? '' : 's'}${repaired} · ${usage}`;
  process.stderr.write(`\n${process.stderr.isTTY && !process.env['NO_COLOR'] ? `\x1b[2m${note}\x1b[22m` : note}\n`);
}
