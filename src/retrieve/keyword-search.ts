import type { SearchFilter, SearchHit, Store } from '../spec/store.js';
import { analyze } from '../text/analyze.js';

export interface KeywordSearchOptions {
  store: Store;
  query: string;
  k?: number;
  filter?: SearchFilter;
}

/** BM25 keyword search: the query goes through the same analyser as the indexed chunks. */
export function keywordSearch(options: KeywordSearchOptions): SearchHit[] {
  return options.store.keywordSearch({ terms: analyze(options.query), k: options.k ?? 10, filter: options.filter });
}
