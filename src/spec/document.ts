/** Metadata values are JSON scalars or arrays of them, so they survive a round trip through the store. */
export type MetadataValue = string | number | boolean | null | Array<string | number | boolean | null>;
export type Metadata = Record<string, MetadataValue>;

/**
 * A span of a loaded document's text that splitters must treat as a unit boundary:
 * a PDF page, a CSV row, a JSON record. Offsets are UTF-16 code units into `LoadedDocument.text`.
 */
export interface TextBlock {
  start: number;
  end: number;
  /** 1-based page number, for paged formats. */
  page?: number;
  /** Metadata that belongs to this block only (a CSV row's index, a JSON record's fields). */
  metadata?: Metadata;
}

/** What a loader hands to the splitters: plain text plus the structure needed for citations. */
export interface LoadedDocument {
  /** Where it came from: an absolute file path or a URL. */
  source: string;
  mimeType: string;
  title?: string;
  /** The document's text. Markdown-structured text (headings as `#` lines) when `markdown` is true. */
  text: string;
  /** True when `text` uses Markdown headings, so the Markdown-aware splitter can keep heading paths. */
  markdown?: boolean;
  /** Unit boundaries (pages, records). Absent means the whole text is one flow. */
  blocks?: TextBlock[];
  /** Document-level metadata (author, dates, the loader's findings). */
  metadata: Metadata;
  /** Non-fatal findings a user should hear about (encoding guessed, rows ragged). */
  warnings: string[];
}

export interface LoaderInput {
  source: string;
  bytes: Uint8Array;
  /** Loader-specific options, e.g. the JSON text fields. */
  options?: LoaderOptions;
}

export interface LoaderOptions {
  /** JSON / JSONL: the fields whose values become text; others become metadata. */
  textFields?: string[];
  /** JSON / JSONL: the field holding a record's id, kept as `id` metadata. */
  idField?: string;
  /** Text files: force an encoding instead of detecting it. */
  encoding?: string;
}

export interface Loader {
  readonly name: string;
  readonly mimeTypes: string[];
  load(input: LoaderInput): Promise<LoadedDocument>;
}

/** A piece of a document, sized for retrieval and for a model's context. */
export interface Chunk {
  /** Position in the document, from 0. */
  ordinal: number;
  text: string;
  /** Offsets into the loaded document's text (UTF-16 code units), so a citation can point to the exact place. */
  start: number;
  end: number;
  page?: number;
  /** Markdown headings above this chunk, outermost first. */
  headingPath: string[];
  tokenCount: number;
  metadata: Metadata;
}

export interface SplitOptions {
  /** Target size in tokens (the shared tokenizer's count). */
  chunkSize: number;
  /** Tokens repeated from the end of the previous chunk. */
  overlap: number;
}

export interface Splitter {
  readonly name: string;
  split(doc: LoadedDocument, options: SplitOptions): Chunk[];
}
