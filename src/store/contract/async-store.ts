import type { Store, SyncStore } from '../../spec/store.js';

const WRAPPED = new WeakMap<Store, SyncStore>();

/**
 * The synchronous store an `asAsyncStore` adapter wraps, or undefined for a store that is async itself
 * (PostgresStore): for the few tools that only make sense on a SQLite file (the vector-index sidecar, raw SQL).
 */
export function syncStoreOf(store: Store): SyncStore | undefined {
  return WRAPPED.get(store);
}

/** A synchronous store seen through the async contract; a thrown error becomes a rejected promise. */
export function asAsyncStore(store: SyncStore): Store {
  const call =
    <A extends unknown[], R>(fn: (...args: A) => R) =>
    async (...args: A): Promise<R> =>
      fn.apply(store, args);
  const adapter: Store = {
    path: store.path,
    ensureCollection: call(store.ensureCollection),
    getCollection: call(store.getCollection),
    updateCollectionSettings: call(store.updateCollectionSettings),
    listCollections: call(store.listCollections),
    deleteCollection: call(store.deleteCollection),
    findDocument: call(store.findDocument),
    getDocument: call(store.getDocument),
    listDocuments: call(store.listDocuments),
    putDocument: call(store.putDocument),
    deleteDocument: call(store.deleteDocument),
    keywordSearch: call(store.keywordSearch),
    keywordTerms: call(store.keywordTerms),
    pendingChunks: call(store.pendingChunks),
    countPendingChunks: call(store.countPendingChunks),
    cachedEmbeddings: call(store.cachedEmbeddings),
    putVectors: call(store.putVectors),
    clearVectors: call(store.clearVectors),
    vectorSearch: call(store.vectorSearch),
    chunkVectors: call(store.chunkVectors),
    documentChunks: call(store.documentChunks),
    stats: call(store.stats),
    close: call(store.close),
  };
  WRAPPED.set(adapter, store);
  return adapter;
}
