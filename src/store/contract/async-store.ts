import type { Store } from '../../spec/store.js';

/**
 * The Store contract with every method returning a promise: what a store over a network database can
 * offer (PostgresStore), and what the synchronous SqliteStore becomes through `asAsyncStore`. Same names,
 * same arguments, same results and errors, only awaited.
 */
export type AsyncStore = {
  readonly [K in keyof Store]: Store[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : Store[K];
};

/** A synchronous store seen through the async contract; a thrown error becomes a rejected promise. */
export function asAsyncStore(store: Store): AsyncStore {
  const call =
    <A extends unknown[], R>(fn: (...args: A) => R) =>
    async (...args: A): Promise<R> =>
      fn.apply(store, args);
  return {
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
}
