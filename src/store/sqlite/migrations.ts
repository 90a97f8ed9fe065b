import type Database from 'better-sqlite3';

/**
 * Forward-only schema migrations. Index i takes the database from version i to i+1. Never edit a
 * released step: add a new one. Each step runs inside the transaction that also bumps `schema_version`.
 */
export const MIGRATIONS: ReadonlyArray<(db: Database.Database) => void> = [
  (db) => {
    db.exec(`
      CREATE TABLE collections (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        settings TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL,
        -- BM25 needs the collection's chunk count and average length at every query: kept up to date
        -- in the same transactions that add and remove chunks, instead of scanning for them.
        chunk_count INTEGER NOT NULL DEFAULT 0,
        term_total INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE documents (
        id INTEGER PRIMARY KEY,
        uid TEXT NOT NULL UNIQUE,
        collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
        source TEXT NOT NULL,
        mime_type TEXT NOT NULL,
        type TEXT NOT NULL,
        title TEXT,
        content_hash TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        metadata TEXT NOT NULL DEFAULT '{}',
        version INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (collection_id, source)
      );
      CREATE TABLE chunks (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        ordinal INTEGER NOT NULL,
        text TEXT NOT NULL,
        start_offset INTEGER NOT NULL,
        end_offset INTEGER NOT NULL,
        page INTEGER,
        heading_path TEXT NOT NULL DEFAULT '[]',
        token_count INTEGER NOT NULL,
        -- Number of analysed terms: the document length in BM25.
        term_count INTEGER NOT NULL,
        content_hash TEXT NOT NULL,
        metadata TEXT NOT NULL DEFAULT '{}',
        UNIQUE (document_id, ordinal)
      );
      CREATE INDEX chunks_content_hash ON chunks (content_hash);
      -- Room for the embedding work: one vector per chunk, and a cache keyed by embedder and text hash
      -- so that re-chunking never re-embeds an unchanged text.
      CREATE TABLE chunk_vectors (
        chunk_id INTEGER PRIMARY KEY REFERENCES chunks(id) ON DELETE CASCADE,
        embedder TEXT NOT NULL,
        vector BLOB NOT NULL
      );
      CREATE TABLE embedding_cache (
        embedder TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        dimensions INTEGER NOT NULL,
        vector BLOB NOT NULL,
        PRIMARY KEY (embedder, content_hash)
      ) WITHOUT ROWID;
    `);
  },
  (db) => {
    // v2: vector search. A counter per collection that every change to its chunks or vectors bumps, so an
    // in-memory vector matrix knows when it is stale; and vectors looked up by embedder.
    db.exec(`
      ALTER TABLE collections ADD COLUMN vector_version INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX chunk_vectors_embedder ON chunk_vectors (embedder, chunk_id);
    `);
  },
  (db) => {
    // v3: conversations. A session's turns in order; `summary` covers the turns up to `summary_through`
    // (summary memory), so older turns need not be resent to the model or re-summarised.
    db.exec(`
      CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        title TEXT,
        settings TEXT NOT NULL DEFAULT '{}',
        summary TEXT,
        summary_through INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE session_turns (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
        content TEXT NOT NULL,
        -- The question as retrieval saw it, when condensation rewrote a follow-up.
        standalone TEXT,
        citations TEXT NOT NULL DEFAULT '[]',
        tokens INTEGER NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX session_turns_session ON session_turns (session_id, id);
    `);
  },
  (db) => {
    // v4: API keys for `lore serve`. Only a key's SHA-256 is kept (the key is random, so a plain hash is
    // enough: there is nothing to brute-force); collections is a JSON array, ["*"] for all of them.
    db.exec(`
      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        hash TEXT NOT NULL UNIQUE,
        name TEXT,
        collections TEXT NOT NULL,
        read_only INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        last_used_at TEXT,
        revoked_at TEXT
      );
    `);
  },
  (db) => {
    // v5: traces. One row per trace (a command, a request) with its totals, so listing the slow or failed
    // ones needs no scan of spans; spans in OpenTelemetry's shape (ids as hex, times in ns since the epoch).
    db.exec(`
      CREATE TABLE traces (
        trace_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        started_at TEXT NOT NULL,
        duration_ms REAL NOT NULL DEFAULT 0,
        status TEXT NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'error')),
        collection TEXT,
        span_count INTEGER NOT NULL DEFAULT 0,
        input_tokens INTEGER NOT NULL DEFAULT 0,
        output_tokens INTEGER NOT NULL DEFAULT 0,
        cost_usd REAL,
        attributes TEXT NOT NULL DEFAULT '{}'
      );
      CREATE INDEX traces_started ON traces (started_at);
      CREATE TABLE spans (
        span_id TEXT PRIMARY KEY,
        trace_id TEXT NOT NULL REFERENCES traces(trace_id) ON DELETE CASCADE,
        parent_id TEXT,
        name TEXT NOT NULL,
        kind TEXT NOT NULL DEFAULT 'internal',
        start_ns INTEGER NOT NULL,
        end_ns INTEGER NOT NULL,
        status TEXT NOT NULL DEFAULT 'ok',
        status_message TEXT,
        attributes TEXT NOT NULL DEFAULT '{}',
        events TEXT NOT NULL DEFAULT '[]'
      );
      CREATE INDEX spans_trace ON spans (trace_id, start_ns);
    `);
  },
  (db) => {
    // v6: evaluation runs, kept so runs can be compared item by item and used as a CI gate.
    db.exec(`
      CREATE TABLE eval_runs (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('retrieval', 'rag')),
        name TEXT,
        dataset TEXT NOT NULL,
        dataset_hash TEXT NOT NULL,
        config TEXT NOT NULL DEFAULT '{}',
        metrics TEXT NOT NULL DEFAULT '{}',
        notes TEXT NOT NULL DEFAULT '[]',
        created_at TEXT NOT NULL
      );
      CREATE TABLE eval_items (
        run_id TEXT NOT NULL REFERENCES eval_runs(id) ON DELETE CASCADE,
        item_id TEXT NOT NULL,
        input TEXT NOT NULL DEFAULT '',
        output TEXT NOT NULL DEFAULT '{}',
        scores TEXT NOT NULL DEFAULT '{}',
        error TEXT,
        PRIMARY KEY (run_id, item_id)
      ) WITHOUT ROWID;
    `);
  },
  (db) => {
    // v7: the in-memory keyword index of large collections (keyword-index.ts) must know, cheaply and for
    // certain, whether the chunks changed since it was built, and which ones: added chunks are those after the
    // largest id it still holds; removed ones are logged in keyword_removed with the version they went at.
    // Every change of a collection's chunks updates its chunk_count in the same transaction, so triggers keep
    // the counters and the log without touching the write path. The log keeps 1,000 versions; an index older
    // than that is rebuilt.
    db.exec(`
      ALTER TABLE collections ADD COLUMN keyword_version INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE collections ADD COLUMN keyword_removals INTEGER NOT NULL DEFAULT 0;
      CREATE TABLE keyword_removed (
        collection_id INTEGER NOT NULL,
        version INTEGER NOT NULL,
        chunk_id INTEGER NOT NULL
      );
      CREATE INDEX keyword_removed_version ON keyword_removed (collection_id, version);
      CREATE TRIGGER chunks_keyword_removed AFTER DELETE ON chunks
      BEGIN
        INSERT INTO keyword_removed (collection_id, version, chunk_id)
        SELECT c.id, c.keyword_version, OLD.id FROM documents d JOIN collections c ON c.id = d.collection_id WHERE d.id = OLD.document_id;
      END;
      CREATE TRIGGER collections_keyword_version AFTER UPDATE OF chunk_count ON collections
      BEGIN
        UPDATE collections
        SET keyword_version = keyword_version + 1,
            keyword_removals = keyword_removals + (NEW.chunk_count < OLD.chunk_count)
        WHERE id = NEW.id;
        DELETE FROM keyword_removed WHERE collection_id = NEW.id AND version < NEW.keyword_version - 1000;
      END;
      CREATE TRIGGER collections_keyword_dropped AFTER DELETE ON collections
      BEGIN
        DELETE FROM keyword_removed WHERE collection_id = OLD.id;
      END;
    `);
  },
  (db) => {
    // v8: the HNSW index of large collections (vector-index.ts) is repaired after a write instead of rebuilt, so
    // it must know which chunks' vectors changed since it was built. Every vector written (a new one, or INSERT
    // OR REPLACE over a chunk's old one) and every vector deleted while its chunk stays (clearVectors) is logged
    // in vector_written with the collection's vector_version. Chunks removed are already in keyword_removed (v7):
    // their vectors go by ON DELETE CASCADE after the chunk row, so the join below finds no chunk and logs
    // nothing for them. The log keeps 1,000 versions; an index older than that is rebuilt.
    db.exec(`
      CREATE TABLE vector_written (
        collection_id INTEGER NOT NULL,
        version INTEGER NOT NULL,
        chunk_id INTEGER NOT NULL
      );
      CREATE INDEX vector_written_version ON vector_written (collection_id, version);
      CREATE TRIGGER chunk_vectors_inserted AFTER INSERT ON chunk_vectors
      BEGIN
        INSERT INTO vector_written (collection_id, version, chunk_id)
        SELECT c.id, c.vector_version, NEW.chunk_id FROM chunks k JOIN documents d ON d.id = k.document_id JOIN collections c ON c.id = d.collection_id
        WHERE k.id = NEW.chunk_id;
      END;
      CREATE TRIGGER chunk_vectors_deleted AFTER DELETE ON chunk_vectors
      BEGIN
        INSERT INTO vector_written (collection_id, version, chunk_id)
        SELECT c.id, c.vector_version, OLD.chunk_id FROM chunks k JOIN documents d ON d.id = k.document_id JOIN collections c ON c.id = d.collection_id
        WHERE k.id = OLD.chunk_id;
      END;
      CREATE TRIGGER collections_vector_version AFTER UPDATE OF vector_version ON collections
      BEGIN
        DELETE FROM vector_written WHERE collection_id = NEW.id AND version < NEW.vector_version - 1000;
      END;
      CREATE TRIGGER collections_vector_dropped AFTER DELETE ON collections
      BEGIN
        DELETE FROM vector_written WHERE collection_id = OLD.id;
      END;
    `);
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** The keyword index of one collection: an FTS5 table over pre-analysed terms, rowid = chunk id. */
export function ftsTableName(collectionId: number): string {
  return `fts_c${collectionId}`;
}

/** fts5vocab views of the keyword index: per-occurrence rows (term frequencies) and per-term document counts. */
export function ftsVocabNames(collectionId: number): { instance: string; row: string } {
  return { instance: `fts_c${collectionId}_vi`, row: `fts_c${collectionId}_vr` };
}

export function createFtsTable(db: Database.Database, collectionId: number): void {
  // Terms arrive already segmented, normalised and stemmed by Lore's analyser and joined by spaces.
  // The `ascii` tokenizer splits only at ASCII separators and passes every other character through, so
  // Chinese words and bigrams stay intact (unicode61 would also do, but would re-fold what is folded).
  const fts = ftsTableName(collectionId);
  const vocab = ftsVocabNames(collectionId);
  db.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS ${fts} USING fts5(terms, tokenize = 'ascii')`);
  // FTS5's built-in bm25() has k1 and b fixed at 1.2 / 0.75; scoring from the vocab tables lets Lore
  // use the parameters that measured best (docs/benchmarks.md) and expose them as options.
  db.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS ${vocab.instance} USING fts5vocab(${fts}, instance)`);
  db.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS ${vocab.row} USING fts5vocab(${fts}, row)`);
}

export function dropFtsTable(db: Database.Database, collectionId: number): void {
  const vocab = ftsVocabNames(collectionId);
  db.exec(`DROP TABLE IF EXISTS ${vocab.instance}; DROP TABLE IF EXISTS ${vocab.row}; DROP TABLE IF EXISTS ${ftsTableName(collectionId)}`);
}
