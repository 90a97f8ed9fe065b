import type { SqlDatabase, SqlValue } from './sql-database.js';
import type { SqlColumn, SqlDescriptions, SqlForeignKey, SqlSchema, SqlTable } from './sql-schema.js';

export interface IntrospectSchemaOptions {
  db: SqlDatabase;
  /** Descriptions laid over the database's own comments (SQLite has none): `table` or `table.column`. */
  descriptions?: SqlDescriptions;
  /** Distinct sample values per text column (default 3; 0 for none). */
  samples?: number;
  /** Tables sampled at most, in name order (default 100): sampling costs one small query per column. */
  sampleTables?: number;
  signal?: AbortSignal;
}

/** Sample values longer than this are cut: they show spelling and format, not content. */
const MAX_SAMPLE_CHARS = 40;
/** Rows a sample query looks at, so sampling a huge table costs no more than a small one. */
const SAMPLE_WINDOW = 1000;
/** Catalog queries return at most this many rows (tables, columns, keys). */
const CATALOG_ROWS = 100_000;

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Reads what a model needs to write queries: tables and views, columns with types and nullability,
 * primary and foreign keys, row counts, comments (PostgreSQL's COMMENT ON; `descriptions` for SQLite), and
 * a few distinct values of each text column, the most frequent first — so the model writes `status = 'major_issue'`, not
 * `status = 'Major issue'`. Everything is read through the same read-only connection as the queries.
 */
export async function introspectSchema(options: IntrospectSchemaOptions): Promise<SqlSchema> {
  const tables = options.db.dialect === 'sqlite' ? await sqliteTables(options) : await postgresTables(options);
  const descriptions = options.descriptions ?? {};
  for (const table of tables) {
    const own = descriptions[table.name];
    if (own) table.description = own;
    for (const column of table.columns) {
      const text = descriptions[`${table.name}.${column.name}`];
      if (text) column.description = text;
    }
  }
  const perColumn = options.samples ?? 3;
  if (perColumn > 0) {
    for (const table of tables.slice(0, options.sampleTables ?? 100)) await addSamples({ ...options, table, perColumn });
  }
  return { dialect: options.db.dialect, tables };
}

async function rowsOf(db: SqlDatabase, sql: string, params?: SqlValue[], signal?: AbortSignal): Promise<SqlValue[][]> {
  return (await db.read({ sql, params, maxRows: CATALOG_ROWS, signal })).rows;
}

async function sqliteTables(options: IntrospectSchemaOptions): Promise<SqlTable[]> {
  const { db, signal } = options;
  const listed = await rowsOf(db, "SELECT name, type FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name", [], signal);
  const tables: SqlTable[] = [];
  for (const [name, type] of listed as Array<[string, string]>) {
    const columns = await rowsOf(db, 'SELECT name, type, "notnull", pk FROM pragma_table_info(?) ORDER BY cid', [name], signal);
    const primaryKey = (columns as Array<[string, string, number, number]>)
      .filter((c) => c[3] > 0)
      .sort((a, b) => a[3] - b[3])
      .map((c) => c[0]);
    const keys = await rowsOf(db, 'SELECT id, "table", "from", "to" FROM pragma_foreign_key_list(?) ORDER BY id, seq', [name], signal);
    const byId = new Map<number, SqlForeignKey>();
    for (const [id, table, from, to] of keys as Array<[number, string, string, string | null]>) {
      const key = byId.get(id) ?? { columns: [], table, references: [] };
      key.columns.push(from);
      // A reference without columns means the referenced table's primary key; filled in below.
      if (to !== null) key.references.push(to);
      byId.set(id, key);
    }
    const count = type === 'table' ? await rowsOf(db, `SELECT count(*) FROM ${quote(name)}`, [], signal).catch(() => undefined) : undefined;
    tables.push({
      name,
      kind: type === 'view' ? 'view' : 'table',
      columns: (columns as Array<[string, string, number, number]>).map(([column, columnType, notNull, pk]) => ({
        name: column,
        type: columnType || 'ANY',
        nullable: notNull === 0 && pk === 0,
        samples: [],
      })),
      primaryKey,
      foreignKeys: [...byId.values()],
      rowCount: typeof count?.[0]?.[0] === 'number' ? count[0][0] : undefined,
    });
  }
  const byName = new Map(tables.map((t) => [t.name.toLowerCase(), t]));
  for (const table of tables) {
    for (const key of table.foreignKeys) {
      if (key.references.length === 0) key.references = [...(byName.get(key.table.toLowerCase())?.primaryKey ?? [])];
    }
  }
  return tables;
}

async function postgresTables(options: IntrospectSchemaOptions): Promise<SqlTable[]> {
  const { db, signal } = options;
  const visible = `c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition
    AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
    AND has_table_privilege(c.oid, 'SELECT')`;
  const listed = await rowsOf(
    db,
    `SELECT c.oid::int8, n.nspname, c.relname, c.relkind::text, obj_description(c.oid, 'pg_class'), c.reltuples::float8
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${visible} ORDER BY n.nspname, c.relname`,
    [],
    signal,
  );
  const tables = new Map<number, SqlTable>();
  for (const [oid, schema, name, kind, description, estimate] of listed as Array<[number, string, string, string, string | null, number]>) {
    tables.set(oid, {
      name: schema === 'public' ? name : `${schema}.${name}`,
      kind: kind === 'v' || kind === 'm' ? 'view' : 'table',
      ...(description ? { description } : {}),
      columns: [],
      primaryKey: [],
      foreignKeys: [],
      ...(estimate >= 0 && kind !== 'v' ? { rowCount: Math.round(estimate) } : {}),
    });
  }
  const columns = await rowsOf(
    db,
    `SELECT a.attrelid::int8, a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull, col_description(a.attrelid, a.attnum)
     FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE ${visible} AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attrelid, a.attnum`,
    [],
    signal,
  );
  for (const [oid, name, type, nullable, description] of columns as Array<[number, string, string, boolean, string | null]>) {
    tables.get(oid)?.columns.push({ name, type, nullable, ...(description ? { description } : {}), samples: [] });
  }
  // Key columns as JSON arrays: the connection hands arrays back as PostgreSQL's text, JSON parses simply.
  const keys = await rowsOf(
    db,
    `SELECT con.conrelid::int8, con.contype::text, con.confrelid::int8,
       (SELECT json_agg(att.attname ORDER BY k.i) FROM unnest(con.conkey) WITH ORDINALITY AS k(num, i) JOIN pg_attribute att ON att.attrelid = con.conrelid AND att.attnum = k.num),
       (SELECT json_agg(att.attname ORDER BY k.i) FROM unnest(con.confkey) WITH ORDINALITY AS k(num, i) JOIN pg_attribute att ON att.attrelid = con.confrelid AND att.attnum = k.num)
     FROM pg_constraint con WHERE con.contype IN ('p', 'f') ORDER BY con.conrelid, con.conname`,
    [],
    signal,
  );
  for (const [oid, type, refOid, cols, refs] of keys as Array<[number, string, number, string | null, string | null]>) {
    const table = tables.get(oid);
    if (!table || !cols) continue;
    const names = JSON.parse(cols) as string[];
    if (type === 'p') table.primaryKey = names;
    else {
      const target = tables.get(refOid);
      if (target) table.foreignKeys.push({ columns: names, table: target.name, references: refs ? (JSON.parse(refs) as string[]) : [] });
    }
  }
  return [...tables.values()];
}

/** Text-like columns, where the spelling of values matters; keys are left out (their values are ids). */
function worthSampling(table: SqlTable, column: SqlColumn): boolean {
  if (table.primaryKey.includes(column.name) || table.foreignKeys.some((k) => k.columns.includes(column.name))) return false;
  return /char|text|clob|string|enum|citext|^any$|^$/i.test(column.type) || /^USER-DEFINED$/i.test(column.type);
}

async function addSamples(options: IntrospectSchemaOptions & { table: SqlTable; perColumn: number }): Promise<void> {
  const { db, table, perColumn, signal } = options;
  const from = table.name.split('.').map(quote).join('.');
  for (const column of table.columns) {
    if (!worthSampling(table, column)) continue;
    const value = db.dialect === 'sqlite' ? `CAST(${quote(column.name)} AS TEXT)` : `${quote(column.name)}::text`;
    // The most frequent values first (a status column shows its common states), ties in the order stored
    // (a name column shows its first rows, not the alphabet's start, which would hide the Chinese ones).
    const sql = `SELECT v FROM (SELECT v, row_number() OVER () AS rn FROM (SELECT ${value} AS v FROM ${from} WHERE ${quote(column.name)} IS NOT NULL LIMIT ${SAMPLE_WINDOW}) AS window_rows) AS numbered GROUP BY v ORDER BY count(*) DESC, min(rn) LIMIT ${perColumn}`;
    try {
      const rows = await rowsOf(db, sql, [], signal);
      column.samples = rows.map((r) => String(r[0])).map((v) => (v.length > MAX_SAMPLE_CHARS ? `${v.slice(0, MAX_SAMPLE_CHARS - 1)}…` : v));
    } catch {
      // A column that cannot be read (permissions, an exotic type) simply has no samples.
    }
  }
}
