import Database from 'better-sqlite3';
import { readPackageVersion } from './package-version.js';
import type { KeywordPeer, PeerDocument, PeerHit } from './types.js';

export interface Fts5PeerOptions {
  name: string;
  /** The FTS5 `tokenize=` argument; undefined keeps FTS5's default (unicode61). */
  tokenize?: string;
  /** Turns a user query into an FTS5 MATCH expression; an empty string means "no hits". */
  toMatch: (query: string) => string;
}

/** A phrase in FTS5 syntax: double quotes, inner quotes doubled, so no character acts as an operator. */
export function quoteFts5(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

/**
 * Words of the query (letters, marks and digits, as unicode61 splits them), each quoted and OR-ed: a user
 * query is free text, and FTS5's default implicit AND would return nothing for most long questions.
 */
export function toFts5WordQuery(query: string): string {
  const words = new Set(query.toLowerCase().match(/[\p{L}\p{M}\p{N}]+/gu) ?? []);
  return [...words].map(quoteFts5).join(' OR ');
}

/** SQLite FTS5 in memory (better-sqlite3), ranked by its built-in bm25() with default weights. */
export function createFts5Peer(options: Fts5PeerOptions = { name: 'fts5', toMatch: toFts5WordQuery }): KeywordPeer {
  let db: Database.Database | undefined;
  let ids: string[] = [];
  let statement: Database.Statement<[string, number], { rowid: number; rank: number }> | undefined;
  const sqliteVersion = (): string => {
    const probe = new Database(':memory:');
    try {
      return (probe.prepare('select sqlite_version() as v').get() as { v: string }).v;
    } finally {
      probe.close();
    }
  };
  return {
    name: options.name,
    version: `better-sqlite3 ${readPackageVersion('better-sqlite3')}, SQLite ${sqliteVersion()}`,
    index(docs: PeerDocument[]): void {
      db?.close();
      db = new Database(':memory:');
      const tokenize = options.tokenize === undefined ? '' : `, tokenize=${quoteSql(options.tokenize)}`;
      db.exec(`CREATE VIRTUAL TABLE t USING fts5(title, text${tokenize})`);
      const insert = db.prepare<[number, string, string]>('INSERT INTO t(rowid, title, text) VALUES (?, ?, ?)');
      // rowid i + 1 maps back to docs[i]; one transaction keeps bulk insert fast.
      db.transaction(() => docs.forEach((d, i) => insert.run(i + 1, d.title, d.text)))();
      ids = docs.map((d) => d.id);
      // bm25() is lower-is-better, hence ORDER BY ascending and the sign flip below.
      statement = db.prepare('SELECT rowid, bm25(t) AS rank FROM t WHERE t MATCH ? ORDER BY bm25(t) LIMIT ?');
    },
    search(query: string, k: number): PeerHit[] {
      if (!statement) throw new Error(`${options.name} peer: index() first`);
      const match = options.toMatch(query);
      if (match.length === 0) return [];
      return statement.all(match, k).map((row) => ({ id: ids[row.rowid - 1] ?? String(row.rowid), score: -row.rank }));
    },
    dispose(): void {
      db?.close();
      db = undefined;
      statement = undefined;
    },
  };
}

function quoteSql(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
