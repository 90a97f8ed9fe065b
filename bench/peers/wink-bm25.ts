import { createRequire } from 'node:module';
import { readPackageVersion } from './package-version.js';
import type { KeywordPeer, PeerDocument, PeerHit } from './types.js';

// Neither wink package ships types; these describe the parts used here.
type PrepTask = (input: never) => unknown;

interface WinkBm25Engine {
  defineConfig(config: { fldWeights: Record<string, number> }): void;
  definePrepTasks(tasks: PrepTask[], field?: string): number;
  addDoc(doc: Record<string, string>, uniqueId: string): number;
  consolidate(fp?: number): boolean;
  search(text: string, limit?: number): [string, number][];
  reset(): boolean;
}

interface WinkNlpUtils {
  string: Record<'lowerCase' | 'removeExtraSpaces' | 'tokenize0', PrepTask>;
  tokens: Record<'propagateNegations' | 'removeWords' | 'stem', PrepTask>;
}

const require = createRequire(import.meta.url);
const bm25 = require('wink-bm25-text-search') as () => WinkBm25Engine;
const nlp = require('wink-nlp-utils') as WinkNlpUtils;

/** wink-bm25-text-search refuses to consolidate fewer documents than this. */
const MIN_DOCS = 3;

/**
 * wink-bm25-text-search with default BM25 parameters (k1 1.2, b 0.75, k 1), equal field weights, and the
 * wink-nlp-utils prep pipeline its 3.0.x README shows for the body field (lower case, collapse spaces,
 * tokenize, mark negations, drop stop words, Porter-2 stem). One pipeline serves both fields and the query,
 * so query tokens are shaped exactly like indexed ones.
 */
export function createWinkBm25Peer(): KeywordPeer {
  let engine: WinkBm25Engine | undefined;
  return {
    name: 'wink-bm25',
    version: readPackageVersion('wink-bm25-text-search'),
    index(docs: PeerDocument[]): void {
      if (docs.length < MIN_DOCS) throw new Error(`wink-bm25 peer: needs at least ${MIN_DOCS} documents, got ${docs.length}`);
      engine = bm25();
      engine.defineConfig({ fldWeights: { title: 1, text: 1 } });
      engine.definePrepTasks([
        nlp.string.lowerCase,
        nlp.string.removeExtraSpaces,
        nlp.string.tokenize0,
        nlp.tokens.propagateNegations,
        nlp.tokens.removeWords,
        nlp.tokens.stem,
      ]);
      for (const doc of docs) engine.addDoc({ title: doc.title, text: doc.text }, doc.id);
      // Search is refused until the model is consolidated (IDF computed); no documents can be added after.
      engine.consolidate();
    },
    search(query: string, k: number): PeerHit[] {
      if (!engine) throw new Error('wink-bm25 peer: index() first');
      return engine.search(query, k).map(([id, score]) => ({ id: String(id), score }));
    },
    dispose(): void {
      engine?.reset();
      engine = undefined;
    },
  };
}
