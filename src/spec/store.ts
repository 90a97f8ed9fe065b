import type { Chunk, Metadata } from './document.js';

export interface CollectionInfo {
  name: string;
  createdAt: string;
  documentCount: number;
  chunkCount: number;
  settings: Record<string, unknown>;
}

export interface DocumentRecord {
  id: number;
  /** Stable id derived from collection + source; survives re-ingestion. */
  uid: string;
  collection: string;
  source: string;
  mimeType: string;
  /** Short type id from the loader: pdf, docx, html, markdown, csv, json, jsonl, text, code. */
  type: string;
  title: string | null;
  contentHash: string;
  bytes: number;
  chunkCount: number;
  metadata: Metadata;
  version: number;
  updatedAt: string;
}

/** A chunk ready for the store: the splitter's output plus the terms the keyword index needs. */
export interface ChunkInput extends Chunk {
  contentHash: string;
  /** The analysed terms from the shared tokenizer, in order, joined by single spaces. */
  keywordText: string;
  /** How many terms `keywordText` holds: the chunk's length for BM25. */
  termCount: number;
}

export interface DocumentInput {
  collection: string;
  source: string;
  mimeType: string;
  type: string;
  title?: string;
  contentHash: string;
  bytes: number;
  metadata: Metadata;
  chunks: ChunkInput[];
}

export interface SearchFilter {
  collection?: string;
  /** Glob over the document source (picomatch syntax, `**` crosses folders). */
  source?: string;
  /** MIME type, or a short type name such as `pdf`, `markdown`. */
  type?: string;
  /** Equality on metadata fields (chunk metadata first, then document metadata). */
  metadata?: Metadata;
}

/** BM25 parameters: k1 (term-frequency saturation) and b (length normalisation). */
export interface Bm25Params {
  k1: number;
  b: number;
}

/** Tuned on ../shared/datasets (Cranfield, CMRC 2018): see docs/benchmarks.md. */
export const DEFAULT_BM25: Bm25Params = { k1: 1.5, b: 0.75 };

export interface KeywordQuery {
  /** Analysed query terms (duplicates count once). */
  terms: string[];
  k: number;
  filter?: SearchFilter;
  bm25?: Bm25Params;
  /** Per-term weights (default 1), e.g. from query expansion. */
  weights?: Record<string, number>;
}

export interface SearchHit {
  chunkId: number;
  documentId: number;
  collection: string;
  source: string;
  title: string | null;
  mimeType: string;
  ordinal: number;
  text: string;
  start: number;
  end: number;
  page: number | null;
  headingPath: string[];
  metadata: Metadata;
  /** Higher is better. */
  score: number;
  /**
   * Each side's own score, the fused one in hybrid mode, and a reranker's (`retrieve/rerank/`), so a user can
   * see why a passage ranked.
   */
  scores: { keyword?: number; vector?: number; fused?: number; rerank?: number };
}

/** A stored chunk with its place in its document: what context expansion reads around a hit. */
export interface ChunkRecord {
  chunkId: number;
  documentId: number;
  ordinal: number;
  /** Exactly the document's text from `start` to `end`. */
  text: string;
  start: number;
  end: number;
  page: number | null;
  headingPath: string[];
  tokenCount: number;
  metadata: Metadata;
}

export interface VectorQuery {
  vector: Float32Array;
  /** Only vectors made by this embedder are compared. */
  embedder: string;
  k: number;
  filter?: SearchFilter;
  /** Scan every vector exactly even where an approximate index exists (tests, evaluation, ground truth). */
  exact?: boolean;
}

/** A chunk that has no vector yet for an embedder. */
export interface PendingChunk {
  chunkId: number;
  contentHash: string;
  text: string;
}

export interface VectorEntry {
  chunkId: number;
  contentHash: string;
  /** Unit-length vector; `null` marks a chunk this embedder cannot represent (e.g. a language it does not know). */
  vector: Float32Array | null;
}

export interface StoreStats {
  path: string;
  schemaVersion: number;
  collections: number;
  documents: number;
  chunks: number;
  fileBytes: number;
}

/**
 * The store contract every consumer (ingest, retrieval, answers, agents, CLI, server) uses. Every method
 * returns a promise: a store over a network database (PostgresStore) cannot answer synchronously, and one
 * contract lets any consumer take either store. `SqliteStore` answers synchronously (`SyncStore`, below);
 * `asAsyncStore` presents it through this contract at the cost of a microtask per call.
 */
export interface Store {
  /** Where the store lives: a file path, or a database URL without its password. */
  readonly path: string;
  ensureCollection(name: string, settings?: Record<string, unknown>): Promise<CollectionInfo>;
  getCollection(name: string): Promise<CollectionInfo | undefined>;
  /** Merges settings into the collection's (e.g. the embedder it was embedded with). */
  updateCollectionSettings(name: string, settings: Record<string, unknown>): Promise<CollectionInfo>;
  listCollections(): Promise<CollectionInfo[]>;
  deleteCollection(name: string): Promise<boolean>;
  findDocument(collection: string, source: string): Promise<DocumentRecord | undefined>;
  /** By numeric id or by stable uid. */
  getDocument(id: number | string): Promise<DocumentRecord | undefined>;
  listDocuments(options?: { collection?: string }): Promise<DocumentRecord[]>;
  /** Insert or replace a document and all its chunks, atomically. */
  putDocument(input: DocumentInput): Promise<DocumentRecord>;
  deleteDocument(id: number): Promise<boolean>;
  keywordSearch(query: KeywordQuery): Promise<SearchHit[]>;
  /** The analysed terms the keyword index holds for these chunks (for relevance feedback). */
  keywordTerms(chunkIds: number[]): Promise<Map<number, string[]>>;
  /** Chunks of a collection that have no vector from this embedder, oldest first. */
  pendingChunks(options: { collection: string; embedder: string; limit: number; afterChunkId?: number }): Promise<PendingChunk[]>;
  /** Count of chunks without a vector from this embedder. */
  countPendingChunks(options: { collection: string; embedder: string }): Promise<number>;
  /** Vectors from the embedding cache (embedder id + content hash), for texts embedded before. */
  cachedEmbeddings(options: { embedder: string; contentHashes: string[] }): Promise<Map<string, Float32Array | null>>;
  /** Stores chunk vectors and fills the embedding cache, in one transaction. */
  putVectors(options: { collection: string; embedder: string; entries: VectorEntry[] }): Promise<void>;
  /** Removes every vector of a collection (before re-embedding with another embedder). */
  clearVectors(options: { collection: string }): Promise<number>;
  /** Cosine search over the collection's vectors; filters apply before ranking. */
  vectorSearch(query: VectorQuery): Promise<SearchHit[]>;
  /**
   * The stored vectors of these chunks from this embedder (for reranking without embedding again). Chunks
   * without one are absent; `null` marks a chunk the embedder cannot represent.
   */
  chunkVectors(options: { embedder: string; chunkIds: number[] }): Promise<Map<number, Float32Array | null>>;
  /** A document's chunks in order, optionally only ordinals `fromOrdinal`…`toOrdinal` (inclusive). */
  documentChunks(options: { documentId: number; fromOrdinal?: number; toOrdinal?: number }): Promise<ChunkRecord[]>;
  stats(): Promise<StoreStats>;
  close(): Promise<void>;
}

/**
 * The same contract answered synchronously: what `SqliteStore` implements over better-sqlite3 (one process,
 * one file, no I/O wait worth yielding for). Consumers take `Store`; tests and SQLite-only tools may call a
 * `SqliteStore` directly.
 */
export type SyncStore = {
  readonly [K in keyof Store]: Store[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => R : Store[K];
};
