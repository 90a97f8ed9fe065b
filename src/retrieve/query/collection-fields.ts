import { dirname } from 'node:path';
import type { MetadataValue } from '../../spec/document.js';
import type { Store } from '../../spec/store.js';

/**
 * Metadata the loaders and ingest write for their own bookkeeping (encodings, record numbers, the ingest
 * key): true fields of the store, but no person filters on them, and listing them to a model only invites
 * it to. `type` is left out because it is a filter of its own (`SearchFilter.type`).
 */
export const BOOKKEEPING_FIELDS: readonly string[] = ['type', 'encoding', 'delimiter', 'rows', 'columns', 'records', 'textFields', 'ingestKey', 'row', 'record', 'pages'];

export type FieldKind = 'string' | 'number' | 'boolean' | 'list' | 'mixed';

export interface FieldSummary {
  name: string;
  kind: FieldKind;
  /** The most frequent values seen, most frequent first. */
  values: MetadataValue[];
  /** Distinct values seen (counted up to a cap). */
  distinct: number;
  /** Documents or chunks seen carrying the field. */
  count: number;
  /** Whether it is set on documents, on chunks (records, rows), or both. */
  level: 'document' | 'chunk' | 'both';
  /** True when every document and chunk of the collection was read, so `allValues` is every value there is. */
  complete: boolean;
  /** Every distinct value seen (up to the cap), for validating a filter value. */
  allValues: MetadataValue[];
}

export interface CollectionFields {
  collection: string;
  fields: FieldSummary[];
  /** Document types present (`markdown`, `pdf`, `jsonl`…). */
  types: string[];
  /** Every document source of the collection (paths or URLs). */
  sources: string[];
  /** Folders holding documents, relative to the folder all sources share, most documents first. */
  folders: string[];
}

export interface DescribeCollectionOptions {
  store: Store;
  collection: string;
  /** Documents whose metadata is read (default 500). */
  sampleDocuments?: number;
  /** Chunks whose metadata is read, over all sampled documents (default 500). */
  sampleChunks?: number;
  /** Values listed per field (default 8). */
  valuesPerField?: number;
  /** Field names left out (default `BOOKKEEPING_FIELDS`). */
  ignore?: readonly string[];
}

/** Distinct values remembered per field: enough to recognise a value, bounded for free-text fields. */
const VALUE_CAP = 1000;

/**
 * What a collection can be filtered on: its metadata fields with their kinds and sample values, its
 * document types and folders. Read from the documents (`listDocuments`) and the first chunks of each
 * (`documentChunks`: record and row fields live on chunks), up to the sample sizes. This is the fallback
 * until the store can list metadata keys itself (see the self-query notes): exact for small collections,
 * a sample for large ones (`complete` says which).
 */
export async function describeCollectionFields(options: DescribeCollectionOptions): Promise<CollectionFields> {
  const { store, collection } = options;
  const ignore = new Set(options.ignore ?? BOOKKEEPING_FIELDS);
  const maxDocuments = options.sampleDocuments ?? 500;
  const maxChunks = options.sampleChunks ?? 500;
  const documents = await store.listDocuments({ collection });
  const sampled = documents.slice(0, maxDocuments);
  let complete = sampled.length === documents.length;

  const stats = new Map<string, { values: Map<string, { value: MetadataValue; count: number }>; count: number; document: boolean; chunk: boolean }>();
  const record = (metadata: Record<string, MetadataValue>, level: 'document' | 'chunk') => {
    for (const [name, value] of Object.entries(metadata)) {
      if (ignore.has(name) || value === null) continue;
      let entry = stats.get(name);
      if (!entry) stats.set(name, (entry = { values: new Map(), count: 0, document: false, chunk: false }));
      entry.count++;
      entry[level] = true;
      const key = JSON.stringify(value);
      const seen = entry.values.get(key);
      if (seen) seen.count++;
      else if (entry.values.size < VALUE_CAP) entry.values.set(key, { value, count: 1 });
      else complete = false;
    }
  };

  let chunkBudget = maxChunks;
  const perDocument = Math.max(1, Math.ceil(maxChunks / Math.max(1, sampled.length)));
  for (const doc of sampled) {
    record(doc.metadata, 'document');
    if (chunkBudget <= 0) {
      complete &&= doc.chunkCount === 0;
      continue;
    }
    const take = Math.min(chunkBudget, Math.max(perDocument, 1));
    const chunks = await store.documentChunks({ documentId: doc.id, fromOrdinal: 0, toOrdinal: take - 1 });
    chunkBudget -= chunks.length;
    if (doc.chunkCount > chunks.length) complete = false;
    for (const chunk of chunks) record(chunk.metadata, 'chunk');
  }

  const fields: FieldSummary[] = [...stats]
    .map(([name, s]) => {
      const values = [...s.values.values()].sort((a, b) => b.count - a.count);
      return {
        name,
        kind: kindOf(values.map((v) => v.value)),
        values: values.slice(0, options.valuesPerField ?? 8).map((v) => v.value),
        distinct: values.length,
        count: s.count,
        level: s.document && s.chunk ? ('both' as const) : s.document ? ('document' as const) : ('chunk' as const),
        complete,
        allValues: values.map((v) => v.value),
      };
    })
    .sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : 1));

  const sources = documents.map((d) => d.source);
  return { collection, fields, types: [...new Set(documents.map((d) => d.type))].sort(), sources, folders: folderList(sources) };
}

function kindOf(values: MetadataValue[]): FieldKind {
  const kinds = new Set(values.map((v) => (Array.isArray(v) ? 'list' : typeof v)));
  if (kinds.size !== 1) return 'mixed';
  const [kind] = kinds;
  return kind === 'number' || kind === 'boolean' || kind === 'list' ? kind : kind === 'string' ? 'string' : 'mixed';
}

/** Folders of the sources below the folder they all share, most documents first (at most 40). */
function folderList(sources: string[]): string[] {
  const dirs = sources.map((s) => dirname(s.replaceAll('\\', '/')));
  if (dirs.length === 0) return [];
  let common = dirs[0]!.split('/');
  for (const dir of dirs) {
    const parts = dir.split('/');
    let i = 0;
    while (i < common.length && i < parts.length && common[i] === parts[i]) i++;
    common = common.slice(0, i);
  }
  // Keep the shared folder's own name: "reports/Shanghai" says more to a model than "Shanghai".
  const base = Math.max(0, common.length - 1);
  const counts = new Map<string, number>();
  for (const dir of dirs) {
    const relative = dir.split('/').slice(base).join('/');
    if (relative) counts.set(relative, (counts.get(relative) ?? 0) + 1);
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, 40)
    .map(([dir]) => dir);
}
