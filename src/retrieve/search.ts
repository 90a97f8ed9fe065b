import type { Bm25Params, SearchFilter, SearchHit, Store } from '../spec/store.js';
import type { EmbeddingModel } from '../spec/models.js';
import { keywordSearch, type FeedbackOptions } from './keyword-search.js';

export type SearchMode = 'keyword' | 'vector' | 'hybrid';

export interface SearchOptions {
  store: Store;
  query: string;
  k?: number;
  mode?: SearchMode;
  filter?: SearchFilter;
  bm25?: Bm25Params;
  feedback?: boolean | FeedbackOptions;
  /** Needed for vector and hybrid modes. */
  embedder?: EmbeddingModel;
  signal?: AbortSignal;
}

/** The one retrieval entry point of the CLI, the server and the library. */
export async function search(options: SearchOptions): Promise<SearchHit[]> {
  return keywordSearch(options);
}
