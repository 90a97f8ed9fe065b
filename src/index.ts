// The library's public surface. The CLI and the server use only what is exported here.
export * from './spec/index.js';
export * from './text/index.js';
export { loadDocument } from './ingest/loaders/index.js';
export { splitDocument } from './ingest/split/split-document.js';
export { walkFiles, type WalkOptions, type WalkEntry } from './ingest/walk-files.js';
export {
  ingest,
  buildChunks,
  DEFAULT_COLLECTION,
  DEFAULT_MAX_FILE_SIZE,
  type IngestOptions,
  type IngestProgress,
  type IngestReport,
  type IngestFailure,
} from './ingest/ingest.js';
export { SqliteStore, openSqliteStore, documentUid, type OpenSqliteStoreOptions } from './store/sqlite/sqlite-store.js';
export { keywordSearch, type KeywordSearchOptions } from './retrieve/keyword-search.js';
