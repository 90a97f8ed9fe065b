import { create, insertMultiple, search, type AnyOrama } from '@orama/orama';
import { readPackageVersion } from './package-version.js';
import type { KeywordPeer, PeerDocument, PeerHit } from './types.js';

/**
 * Orama full-text search with default options: its English tokenizer, default BM25 relevance, default
 * threshold and tolerance; only `term` and `limit` are passed. The document's `id` becomes Orama's id, and
 * is left out of the schema so it is not searched.
 */
export function createOramaPeer(): KeywordPeer {
  let db: AnyOrama | undefined;
  return {
    name: 'orama',
    version: readPackageVersion('@orama/orama'),
    async index(docs: PeerDocument[]): Promise<void> {
      db = create({ schema: { title: 'string', text: 'string' } as const });
      await insertMultiple(db, docs);
    },
    async search(query: string, k: number): Promise<PeerHit[]> {
      if (!db) throw new Error('orama peer: index() first');
      const results = await search(db, { term: query, limit: k });
      return results.hits.map((hit) => ({ id: String(hit.id), score: hit.score }));
    },
  };
}
