import { createRequire } from 'node:module';
import type { Parser as SqlParser, TableColumnAst } from 'node-sql-parser';
import { isDeniedFunction } from './denied-functions.js';
import { scanSql, type SqlToken } from './scan-sql.js';
import type { SqlDialect } from './sql-dialect.js';

export type SqlValidation =
  | {
      ok: true;
      /** What runs: the statement without comments and trailing semicolons. */
      sql: string;
      /** Tables the statement reads, as the parser names them (`schema.table` when qualified). */
      tables: string[];
    }
  | { ok: false; /** Why it was refused, written so a model can correct its query. */ reason: string };

/**
 * Words that only ever belong to writes, schema changes, database attachment or session control. Checked
 * on every unquoted word, not just the first, so a write cannot hide in a CTE, a subquery or after a
 * statement the parser stops early on. REPLACE is absent: replace() is a common string function, and
 * `REPLACE INTO` is not a SELECT anyway.
 */
const DENIED_WORDS: ReadonlySet<string> = new Set([
  'insert',
  'update',
  'delete',
  'merge',
  'upsert',
  'returning',
  'into',
  'drop',
  'alter',
  'create',
  'truncate',
  'attach',
  'detach',
  'pragma',
  'vacuum',
  'reindex',
  'copy',
  'grant',
  'revoke',
  'call',
  'execute',
  'prepare',
  'deallocate',
  'listen',
  'notify',
  'unlisten',
  'savepoint',
  'commit',
  'rollback',
]);

/** AST node types that are statements other than SELECT, wherever they appear in the tree. */
const STATEMENT_TYPES: ReadonlySet<string> = new Set([
  'insert',
  'replace',
  'update',
  'delete',
  'create',
  'drop',
  'alter',
  'truncate',
  'rename',
  'attach',
  'detach',
  'pragma',
  'set',
  'use',
  'lock',
  'unlock',
  'grant',
  'revoke',
  'transaction',
  'exec',
  'execute',
  'call',
  'declare',
  'copy',
  'load_data',
]);

const require = createRequire(import.meta.url);
const parsers = new Map<SqlDialect, SqlParser>();

/** The per-dialect parser builds load in ~50 ms together; the all-dialect bundle takes ~120 ms. */
function parserFor(dialect: SqlDialect): SqlParser {
  let parser = parsers.get(dialect);
  if (!parser) {
    const module = require(dialect === 'sqlite' ? 'node-sql-parser/build/sqlite.js' : 'node-sql-parser/build/postgresql.js') as { Parser: new () => SqlParser };
    parser = new module.Parser();
    parsers.set(dialect, parser);
  }
  return parser;
}

const refuse = (reason: string): SqlValidation => ({ ok: false, reason });

/**
 * Decides whether a statement may run: exactly one SELECT (or WITH … SELECT) that writes nothing, attaches
 * nothing, changes no setting and calls no function with side effects. Layered so that no single mistake
 * lets a write through: (1) the text is lexed and its comments removed — what is checked and what runs is
 * the comment-free text; (2) a semicolon anywhere but at the end, any write keyword and any denied function
 * name refuse it; (3) a real SQL parser for the dialect must read it as a single SELECT, and its tree is
 * walked for nested statements, SELECT … INTO, and function calls. A statement the parser cannot read is
 * refused, even if the database would accept it: better an unanswered question than an unchecked statement.
 * The database connection is read-only besides (see the executors); this is the first wall, not the only one.
 */
export function validateSql(options: { sql: string; dialect: SqlDialect }): SqlValidation {
  const { dialect } = options;
  const scanned = scanSql({ sql: options.sql, dialect });
  if (!scanned.ok) return refuse(scanned.error);
  // Scanned again without comments, so token offsets index the text that will run.
  const rescanned = scanSql({ sql: scanned.stripped, dialect });
  if (!rescanned.ok) return refuse(rescanned.error);
  const tokens = rescanned.tokens;
  while (tokens.at(-1)?.kind === 'punct' && tokens.at(-1)?.value === ';') tokens.pop();
  const first = tokens[0];
  if (!first) return refuse('the statement is empty');
  const sql = scanned.stripped.slice(first.start, tokens.at(-1)!.end);

  if (tokens.some((t) => t.kind === 'punct' && t.value === ';')) {
    return refuse('more than one statement: only a single SELECT is run (stacked queries are refused)');
  }
  const start = tokens.find((t) => !(t.kind === 'punct' && t.value === '('));
  if (!start || start.kind !== 'word' || !/^(select|with)$/i.test(start.value)) {
    return refuse(`only SELECT (or WITH … SELECT) statements are run, not ${describeStart(start)}`);
  }
  if (tokens.some((t) => t.kind === 'param')) return refuse('parameters ($1, ?, :name) cannot be bound: write the values into the query');
  for (const [i, token] of tokens.entries()) {
    if (token.kind === 'word' && DENIED_WORDS.has(token.value.toLowerCase())) {
      return refuse(`${token.value.toUpperCase()} is not allowed: the query must only read`);
    }
    const called = (token.kind === 'word' || token.kind === 'quoted') && tokens[i + 1]?.kind === 'punct' && tokens[i + 1]?.value === '(';
    if (called && isDeniedFunction(token.value)) return refuse(`the function ${token.value}() is not allowed (it has side effects or reaches outside the database)`);
    if (token.kind === 'word' && /^(sqlite_dbpage|fsdir|zipfile)$/i.test(token.value)) return refuse(`${token.value} is not allowed: it reads outside the tables`);
  }

  let parsed: TableColumnAst;
  try {
    parsed = parserFor(dialect).parse(sql, { database: dialect === 'sqlite' ? 'sqlite' : 'postgresql' });
  } catch (error) {
    const message = ((error as Error).message ?? String(error)).replace(/\s+/g, ' ');
    return refuse(`the SQL parser cannot read this as ${dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL'}: ${message.length > 300 ? `${message.slice(0, 300)}…` : message}`);
  }
  const statements = Array.isArray(parsed.ast) ? parsed.ast : [parsed.ast];
  if (statements.length !== 1) return refuse('more than one statement: only a single SELECT is run (stacked queries are refused)');
  const statement = statements[0] as unknown as Record<string, unknown>;
  if (statement['type'] !== 'select') return refuse(`only SELECT statements are run, not ${String(statement['type']).toUpperCase()}`);
  const problem = inspectTree(statement);
  if (problem) return refuse(problem);
  for (const entry of parsed.tableList) {
    const [action] = entry.split('::');
    if (action !== 'select') return refuse(`the statement would ${action} ${entry.split('::').slice(1).filter((p) => p !== 'null').join('.')}; only reading is allowed`);
  }
  const tables = [...new Set(parsed.tableList.map((entry) => entry.split('::').slice(1).filter((p) => p !== 'null').join('.')))];
  return { ok: true, sql, tables };
}

function describeStart(token: SqlToken | undefined): string {
  if (!token) return 'an empty statement';
  return token.kind === 'word' ? token.value.toUpperCase() : `“${token.value}”`;
}

/** Walks the parser's tree: nested non-SELECT statements, SELECT … INTO, locking reads and denied functions. */
function inspectTree(root: unknown): string | undefined {
  const stack: unknown[] = [root];
  const seen = new Set<unknown>();
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null || seen.has(node)) continue;
    seen.add(node);
    if (Array.isArray(node)) {
      stack.push(...(node as unknown[]));
      continue;
    }
    const record = node as Record<string, unknown>;
    const type = typeof record['type'] === 'string' ? record['type'].toLowerCase() : undefined;
    if (type && STATEMENT_TYPES.has(type)) {
      return `a ${type.toUpperCase()} statement is not allowed: the query must only read`;
    }
    if (type === 'select') {
      const into = record['into'] as Record<string, unknown> | null | undefined;
      if (into && into['expr'] !== undefined && into['expr'] !== null) return 'SELECT … INTO creates a table: only reading is allowed';
      if (record['for_update'] || record['locking_read']) return 'locking reads (FOR UPDATE / FOR SHARE) are not allowed';
    }
    if (type === 'function' || type === 'aggr_func') {
      const name = functionName(record['name']);
      if (name && isDeniedFunction(name)) return `the function ${name}() is not allowed (it has side effects or reaches outside the database)`;
    }
    for (const [key, value] of Object.entries(record)) if (key !== 'loc' && typeof value === 'object') stack.push(value);
  }
  return undefined;
}

/** node-sql-parser writes a function's name as a string or as `{ name: [{ value }], schema }`. */
function functionName(name: unknown): string | undefined {
  if (typeof name === 'string') return name;
  if (typeof name !== 'object' || name === null) return undefined;
  const parts = (name as { name?: unknown }).name;
  if (Array.isArray(parts)) {
    const last = parts.at(-1) as { value?: unknown } | undefined;
    return typeof last?.value === 'string' ? last.value : undefined;
  }
  return typeof parts === 'string' ? parts : undefined;
}
