import type { SqlDialect } from './sql-dialect.js';
import type { SqlSchema, SqlTable } from './sql-schema.js';

function quoteName(name: string, dialect: SqlDialect): string {
  // PostgreSQL folds unquoted names to lower case, so a name with capitals must be quoted to be found.
  const plain = dialect === 'postgres' ? /^[a-z_][a-z0-9_$]*$/ : /^[A-Za-z_][A-Za-z0-9_$]*$/;
  return plain.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

function qualified(name: string, dialect: SqlDialect): string {
  return name
    .split('.')
    .map((part) => quoteName(part, dialect))
    .join('.');
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();
const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;

/**
 * One table as the model reads it: a CREATE TABLE statement (the form text-to-SQL models are trained on)
 * with keys inline, and descriptions, row counts and sample values as `--` comments beside what they
 * describe.
 */
export function renderTable(table: SqlTable, dialect: SqlDialect): string {
  const about = [table.description ? oneLine(table.description) : '', table.rowCount !== undefined ? `${table.rowCount} rows` : ''].filter(Boolean).join('; ');
  const singleKey = table.primaryKey.length === 1 ? table.primaryKey[0] : undefined;
  const lines: Array<{ code: string; comment: string }> = table.columns.map((column) => {
    const parts = [quoteName(column.name, dialect), column.type];
    if (column.name === singleKey) parts.push('PRIMARY KEY');
    else if (!column.nullable) parts.push('NOT NULL');
    const key = table.foreignKeys.find((k) => k.columns.length === 1 && k.columns[0] === column.name);
    if (key) parts.push(`REFERENCES ${qualified(key.table, dialect)}(${key.references.map((r) => quoteName(r, dialect)).join(', ')})`);
    const comment = [column.description ? oneLine(column.description) : '', column.samples.length > 0 ? `e.g. ${column.samples.map(literal).join(', ')}` : ''].filter(Boolean).join('; ');
    return { code: `  ${parts.join(' ')}`, comment };
  });
  if (table.primaryKey.length > 1) lines.push({ code: `  PRIMARY KEY (${table.primaryKey.map((c) => quoteName(c, dialect)).join(', ')})`, comment: '' });
  for (const key of table.foreignKeys.filter((k) => k.columns.length > 1)) {
    lines.push({
      code: `  FOREIGN KEY (${key.columns.map((c) => quoteName(c, dialect)).join(', ')}) REFERENCES ${qualified(key.table, dialect)}(${key.references.map((c) => quoteName(c, dialect)).join(', ')})`,
      comment: '',
    });
  }
  const body = lines.map((line, i) => `${line.code}${i < lines.length - 1 ? ',' : ''}${line.comment ? ` -- ${line.comment}` : ''}`);
  const head = `CREATE ${table.kind === 'view' ? 'VIEW' : 'TABLE'} ${qualified(table.name, dialect)} (${about ? ` -- ${about}` : ''}`;
  return [head, ...body, ');'].join('\n');
}

/** The tables, one CREATE statement each, separated by blank lines. */
export function renderSchema(options: { schema: SqlSchema; tables?: SqlTable[] }): string {
  return (options.tables ?? options.schema.tables).map((t) => renderTable(t, options.schema.dialect)).join('\n\n');
}
