import type { SqlDialect } from './sql-dialect.js';

/** What a model needs to know about a database to write queries against it. */
export interface SqlSchema {
  dialect: SqlDialect;
  tables: SqlTable[];
}

export interface SqlTable {
  /** As a query must write it: `schema.table` outside PostgreSQL's `public`, else the bare name. */
  name: string;
  kind: 'table' | 'view';
  description?: string;
  columns: SqlColumn[];
  primaryKey: string[];
  foreignKeys: SqlForeignKey[];
  /** Exact for SQLite, the planner's estimate for PostgreSQL (absent when it has none). */
  rowCount?: number;
}

export interface SqlColumn {
  name: string;
  type: string;
  nullable: boolean;
  description?: string;
  /** A few distinct values, as text, cut short: they show the model how values are spelled. */
  samples: string[];
}

export interface SqlForeignKey {
  columns: string[];
  /** The referenced table, named as in `SqlTable.name`. */
  table: string;
  references: string[];
}

/** Descriptions a database cannot hold (SQLite has no comments): `table` or `table.column` → text. */
export type SqlDescriptions = Record<string, string>;
