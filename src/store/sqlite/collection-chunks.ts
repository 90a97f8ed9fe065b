import type Database from 'better-sqlite3';
import { LoreError } from '../../spec/errors.js';

/** A stored chunk with its document's source and title: what test-set generation reads. */
export interface CollectionChunk {
  chunkId: number;
  documentId: number;
  ordinal: number;
  source: string;
  title: string | null;
  headingPath: string[];
  text: string;
  /** The chunk's metadata (a CSV row or JSON record carries `row` / `record`). */
  metadata: Record<string, unknown>;
}

/** Every chunk of a collection, by document source and position. Throws NOT_FOUND for an unknown collection. */
export function readCollectionChunks(db: Database.Database, collection: string): CollectionChunk[] {
  const exists = db.prepare('SELECT 1 FROM collections WHERE name = ?').pluck().get(collection);
  if (!exists) throw new LoreError({ code: 'NOT_FOUND', message: `No collection "${collection}"`, hint: 'see `lore collections`, or ingest documents with `lore ingest PATH -c NAME`', subject: collection });
  const rows = db
    .prepare(
      `SELECT c.id, c.document_id, c.ordinal, c.text, c.heading_path, c.metadata, d.source, d.title
       FROM chunks c JOIN documents d ON d.id = c.document_id JOIN collections k ON k.id = d.collection_id
       WHERE k.name = ? ORDER BY d.source, c.ordinal`,
    )
    .all(collection) as Array<{ id: number; document_id: number; ordinal: number; text: string; heading_path: string; metadata: string; source: string; title: string | null }>;
  return rows.map((r) => ({
    chunkId: r.id,
    documentId: r.document_id,
    ordinal: r.ordinal,
    source: r.source,
    title: r.title,
    headingPath: JSON.parse(r.heading_path) as string[],
    text: r.text,
    metadata: JSON.parse(r.metadata) as Record<string, unknown>,
  }));
}
