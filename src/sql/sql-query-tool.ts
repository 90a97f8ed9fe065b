import { basename } from 'node:path';
import { z } from 'zod';
import { isLoreError } from '../spec/errors.js';
import type { Tool, ToolContext, ToolResultValue } from '../spec/tool.js';
import { executeReadOnly } from './execute-read-only.js';
import { rowsToMarkdown } from './format-rows.js';
import { introspectSchema } from './introspect-schema.js';
import { renderSchema } from './render-schema.js';
import { selectTables } from './select-tables.js';
import type { SqlDatabase } from './sql-database.js';
import { dialectName } from './sql-dialect.js';
import type { SqlDescriptions, SqlSchema } from './sql-schema.js';

export interface SqlQueryToolOptions {
  db: SqlDatabase;
  /** A schema read earlier; otherwise it is read when the tool is made. */
  schema?: SqlSchema;
  descriptions?: SqlDescriptions;
  /** Default `sql_query`. */
  name?: string;
  /** Rows a call returns at most (default 50: the result goes back into the agent's context). */
  maxRows?: number;
  timeoutMs?: number;
  /** Budget for the schema in the tool's description, in estimated tokens (default 3000). */
  schemaTokens?: number;
  /** Budget for the rows in a result, in estimated tokens (default 2000). */
  resultTokens?: number;
}

const SqlQueryArgs = z.object({
  sql: z.string().min(1).describe('One read-only SELECT statement (WITH … SELECT allowed).'),
});

export type SqlQueryArgs = z.output<typeof SqlQueryArgs>;

/**
 * The database as an agent tool: the model writes a SELECT, the tool validates it and runs it read-only
 * (`executeReadOnly`), and the model reads the rows as a Markdown table. The schema is in the tool's
 * description, so the model can write the query without a separate lookup. Risk `read`: the connection
 * cannot write and refused statements never reach it. A refused or failing query comes back as an error
 * result with the reason, which is what the model needs to correct itself.
 */
export async function createSqlQueryTool(options: SqlQueryToolOptions): Promise<Tool<SqlQueryArgs>> {
  const { db } = options;
  const schema = options.schema ?? (await introspectSchema({ db, descriptions: options.descriptions }));
  const selected = selectTables({ schema, maxTokens: options.schemaTokens ?? 3000 });
  const omitted = selected.omitted.length > 0 ? `\nOther tables (not shown): ${selected.omitted.slice(0, 50).join(', ')}` : '';
  const where = db.dialect === 'sqlite' ? basename(db.target) : db.target;
  const maxRows = options.maxRows ?? 50;
  return {
    name: options.name ?? 'sql_query',
    description: [
      `Runs one read-only ${dialectName(db.dialect)} SELECT query on the database ${where} and returns the rows (at most ${maxRows}) as a table.`,
      'Use it for counts, sums, lists and lookups over this data. Writes, PRAGMA, ATTACH, COPY and functions with side effects are refused.',
      `Schema:\n${renderSchema({ schema, tables: selected.tables })}${omitted}`,
    ].join('\n'),
    parameters: SqlQueryArgs,
    risk: 'read',
    async execute(args: SqlQueryArgs, context: ToolContext): Promise<ToolResultValue> {
      try {
        const result = await executeReadOnly({ db, sql: args.sql, maxRows, timeoutMs: options.timeoutMs, signal: context.signal });
        const count = `${result.rows.length} row${result.rows.length === 1 ? '' : 's'}${result.truncated ? ` (more rows matched; only the first ${maxRows} are returned — aggregate or filter to see the rest)` : ''}`;
        return {
          content: `${count}\n${rowsToMarkdown({ columns: result.columns, rows: result.rows, maxTokens: options.resultTokens ?? 2000 })}`,
          data: { sql: result.sql, columns: result.columns, rows: result.rows, truncated: result.truncated },
        };
      } catch (error) {
        if (!isLoreError(error) || error.code === 'ABORTED') throw error;
        return { content: error.message, isError: true };
      }
    },
  };
}
