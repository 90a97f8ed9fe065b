import MiniSearch from 'minisearch';
import { readPackageVersion } from './package-version.js';
import type { KeywordPeer, PeerDocument, PeerHit } from './types.js';

/** MiniSearch with default tokenizer, no stemming, and default search options (OR, no prefix, no fuzzy). */
export function createMiniSearchPeer(): KeywordPeer {
  // storeFields stays empty: results need only the id, and storing text would just cost memory.
  let engine: MiniSearch<PeerDocument> | undefined;
  return {
    name: 'minisearch',
    version: readPackageVersion('minisearch'),
    index(docs: PeerDocument[]): void {
      engine = new MiniSearch<PeerDocument>({ fields: ['title', 'text'] });
      engine.addAll(docs);
    },
    search(query: string, k: number): PeerHit[] {
      if (!engine) throw new Error('minisearch peer: index() first');
      return engine
        .search(query)
        .slice(0, k)
        .map((r) => ({ id: String(r.id), score: r.score }));
    },
  };
}
