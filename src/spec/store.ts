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
  scores: { keyword?: number; vector?: number };
}

export interface StoreStats {
  path: string;
  schemaVersion: number;
  collections: number;
  documents: number;
  chunks: number;
  fileBytes: number;
}

export interface Store {
  readonly path: string;
  ensureCollection(name: string, settings?: Record<string, unknown>): CollectionInfo;
  getCollection(name: string): CollectionInfo | undefined;
  listCollections(): CollectionInfo[];
  deleteCollection(name: string): boolean;
  findDocument(collection: string, source: string): DocumentRecord | undefined;
  /** By numeric id or by stable uid. */
  getDocument(id: number | string): DocumentRecord | undefined;
  listDocuments(options?: { collection?: string }): DocumentRecord[];
  /** Insert or replace a document and all its chunks, atomically. */
  putDocument(input: DocumentInput): DocumentRecord;
  deleteDocument(id: number): boolean;
  keywordSearch(query: KeywordQuery): SearchHit[];
  /** The analysed terms the keyword index holds for these chunks (for relevance feedback). */
  keywordTerms(chunkIds: number[]): Map<number, string[]>;
  stats(): StoreStats;
  close(): void;
}
