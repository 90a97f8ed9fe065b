import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildChunksHere, sha256 } from '../../ingest/chunk-work.js';
import type { LoadedDocument, TextBlock } from '../../spec/document.js';
import type { EmbeddingModel } from '../../spec/models.js';
import type { DocumentRecord } from '../../spec/store.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { analyze } from '../../text/analyze.js';

/** A real SQLite store in a fresh temporary folder, with collection `c`. */
export function tempStore(): SqliteStore {
  const store = new SqliteStore({ path: join(mkdtempSync(join(tmpdir(), 'lore-retrieve-')), 'lore.db') });
  store.ensureCollection('c');
  return store;
}

/** Splits and stores a document as ingest does (the real splitter and analyser), small chunks by default. */
export function putText(
  store: SqliteStore,
  o: { source: string; text: string; markdown?: boolean; blocks?: TextBlock[]; chunkSize?: number; overlap?: number; title?: string },
): DocumentRecord {
  const doc: LoadedDocument = { source: o.source, mimeType: o.markdown ? 'text/markdown' : 'text/plain', text: o.text, metadata: {}, warnings: [], ...(o.markdown ? { markdown: true } : {}), ...(o.blocks ? { blocks: o.blocks } : {}), ...(o.title ? { title: o.title } : {}) };
  const chunks = buildChunksHere({ doc, chunkSize: o.chunkSize ?? 30, overlap: o.overlap ?? 8 });
  return store.putDocument({ collection: 'c', source: o.source, mimeType: doc.mimeType, type: o.markdown ? 'markdown' : 'text', ...(o.title ? { title: o.title } : {}), contentHash: sha256(o.text), bytes: o.text.length, metadata: {}, chunks });
}

/**
 * A deterministic stand-in for an embedding model: a unit bag-of-words vector over hashed analysed terms,
 * so texts sharing words are similar. `languages` as given (default English only); counts its calls.
 */
export function fakeEmbedder(o: { languages?: string[]; dimensions?: number } = {}): EmbeddingModel & { calls: string[][] } {
  const dimensions = o.dimensions ?? 64;
  const calls: string[][] = [];
  return {
    id: 'fake:bow',
    dimensions,
    languages: o.languages ?? ['en'],
    calls,
    async embed(texts) {
      calls.push(texts);
      return texts.map((text) => {
        const v = new Float32Array(dimensions);
        for (const term of analyze(text)) {
          let h = 2166136261;
          for (let i = 0; i < term.length; i++) h = Math.imul(h ^ term.charCodeAt(i), 16777619);
          v[(h >>> 0) % dimensions]! += 1;
        }
        const norm = Math.hypot(...v) || 1;
        return v.map((x) => x / norm);
      });
    },
  };
}

/** Embeds every pending chunk of collection `c` with the embedder and stores the vectors. */
export async function embedAll(store: SqliteStore, embedder: EmbeddingModel): Promise<void> {
  const pending = store.pendingChunks({ collection: 'c', embedder: embedder.id, limit: 10_000 });
  const vectors = await embedder.embed(pending.map((p) => p.text));
  store.putVectors({ collection: 'c', embedder: embedder.id, entries: pending.map((p, i) => ({ chunkId: p.chunkId, contentHash: p.contentHash, vector: vectors[i]! })) });
}
