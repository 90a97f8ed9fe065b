import { LoreError } from '../spec/errors.js';
import type { Store } from '../spec/store.js';

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

/** Code-point order (as SQLite's BINARY collation compares UTF-8 bytes), not UTF-16 units. */
function byCodePoint(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** Every chunk of a collection, by document source and position. Throws NOT_FOUND for an unknown collection. */
export async function readCollectionChunks(options: { store: Store; collection: string }): Promise<CollectionChunk[]> {
  const { store, collection } = options;
  if (!(await store.getCollection(collection))) {
    throw new LoreError({ code: 'NOT_FOUND', message: `No collection "${collection}"`, hint: 'see `lore collections`, or ingest documents with `lore ingest PATH -c NAME`', subject: collection });
  }
  const documents = (await store.listDocuments({ collection })).sort((a, b) => byCodePoint(a.source, b.source));
  const chunks: CollectionChunk[] = [];
  for (const doc of documents) {
    for (const c of await store.documentChunks({ documentId: doc.id })) {
      chunks.push({ chunkId: c.chunkId, documentId: doc.id, ordinal: c.ordinal, source: doc.source, title: doc.title, headingPath: c.headingPath, text: c.text, metadata: c.metadata });
    }
  }
  return chunks;
}
