import { z } from 'zod';
import { generateObject } from '../../prompt/generate-object.js';
import type { Metadata, MetadataValue } from '../../spec/document.js';
import { isLoreError } from '../../spec/errors.js';
import type { LanguageModel, Usage } from '../../spec/models.js';
import type { SearchFilter, Store } from '../../spec/store.js';
import { globMatch } from '../../store/sqlite/glob-function.js';
import { describeCollectionFields, type CollectionFields, type FieldSummary } from './collection-fields.js';
import { lenientList } from './lenient-list.js';

/** What the model is asked for: the search text and the conditions, each condition optional. */
export interface SelfQueryDraft {
  query: string;
  source: string | null;
  type: string | null;
  metadata: Array<{ field: string; value: string | number | boolean } | null>;
}

const REPLY = z.object({
  query: z.string(),
  source: z.string().nullable(),
  type: z.string().nullable(),
  metadata: lenientList(z.object({ field: z.string(), value: z.union([z.string(), z.number(), z.boolean()]) })),
});

export interface SelfQueryOptions {
  question: string;
  model: LanguageModel;
  /** The collection searched; its fields are read from the store unless `fields` is given. */
  store: Store;
  collection: string;
  /** What the collection can be filtered on (default: `describeCollectionFields`). */
  fields?: CollectionFields;
  maxTokens?: number;
  signal?: AbortSignal;
}

export interface SelfQuery {
  /** What to search for: the question without its conditions (the question itself when nothing was taken out). */
  query: string;
  /** Only conditions checked against the collection; always names the collection. */
  filter: SearchFilter;
  /** What the model proposed that was dropped or changed, and why. */
  notes: string[];
  usage: Usage;
}

/**
 * Self-querying retrieval: the model reads "turbine reports from 2023 in the Shanghai folder" as a search
 * for "turbine reports" with the conditions year = 2023 and source under a Shanghai folder. The model only
 * proposes; every condition is checked against what the collection holds (`validateSelfQuery`) before it
 * reaches a filter, because a filter on a field the model invented silently matches nothing. A model that
 * gives no usable reply leaves the question unfiltered, with a note.
 */
export async function selfQuery(options: SelfQueryOptions): Promise<SelfQuery> {
  const question = options.question.trim();
  const fields = options.fields ?? (await describeCollectionFields({ store: options.store, collection: options.collection }));
  let draft: SelfQueryDraft;
  let usage: Usage = { inputTokens: 0, outputTokens: 0 };
  try {
    const result = await generateObject({
      model: options.model,
      schema: REPLY,
      name: 'search_filter',
      messages: [
        { role: 'system', content: SYSTEM_PROMPT },
        { role: 'user', content: `${describeForModel(fields)}\n\nQuestion: ${question}` },
      ],
      temperature: 0,
      maxTokens: options.maxTokens ?? 300,
      signal: options.signal,
    });
    draft = result.value;
    usage = result.usage;
  } catch (error) {
    if (!isLoreError(error, 'PARSE_ERROR')) throw error;
    return { query: question, filter: { collection: options.collection }, notes: [`${options.model.id} gave no usable filter: the question is searched unfiltered`], usage };
  }
  return { ...validateSelfQuery({ question, draft, fields }), usage };
}

const SYSTEM_PROMPT = [
  'You turn a question about a document collection into a search query and filters.',
  '"query" is what to search for, with the conditions taken out, in the language of the question.',
  '"source" is a glob over document paths when the question names a folder or file, e.g. "**/Shanghai/**" or "**/*.pdf"; otherwise null.',
  '"type" is a document type from the list when the question asks for one (e.g. "pdf"); otherwise null.',
  '"metadata" lists field = value conditions, using only the fields listed and exact values; leave it empty when the question sets none.',
  'Never invent a field. Do not answer the question.',
].join(' ');

/** The collection as the model sees it: fields with kinds and examples, types, folders. */
export function describeForModel(fields: CollectionFields): string {
  const lines = [`Collection "${fields.collection}".`, 'Metadata fields:'];
  const usable = fields.fields.filter((f) => f.kind !== 'list' && f.kind !== 'mixed');
  if (usable.length === 0) lines.push('- (none)');
  for (const f of usable) lines.push(`- ${f.name} (${f.kind === 'string' ? 'text' : f.kind}; e.g. ${f.values.map((v) => JSON.stringify(v)).join(', ')})`);
  lines.push(`Document types: ${fields.types.join(', ') || '(none)'}`);
  lines.push(`Folders: ${fields.folders.join(', ') || '(none)'}`);
  return lines.join('\n');
}

/**
 * Checks a model's proposed filter against the collection and keeps only what is valid:
 * - a metadata field must exist in the collection (matched ignoring case, `_`, `-` and spaces, then spelled
 *   as stored); an unknown field is dropped with a note, never passed through;
 * - a value is converted to the field's kind (the year "2023" becomes 2023: the store compares exactly),
 *   spelled as a stored value when it matches one ignoring case, and dropped when the whole collection was
 *   read and no chunk has it (a filter that can match nothing is a mistake, not a question's intent);
 * - fields holding lists are dropped (the store's filters are equality, not "contains");
 * - `type` must be a type the collection has; `source` must match at least one document, after trying it
 *   as a folder or file name and repairing the case of its folder names.
 */
export function validateSelfQuery(options: { question: string; draft: SelfQueryDraft; fields: CollectionFields }): { query: string; filter: SearchFilter; notes: string[] } {
  const { draft, fields } = options;
  const notes: string[] = [];
  const filter: SearchFilter = { collection: fields.collection };

  const metadata: Metadata = {};
  for (const entry of draft.metadata) {
    if (!entry) {
      notes.push('a malformed condition was dropped');
      continue;
    }
    const field = findField(fields.fields, entry.field);
    if (!field) {
      notes.push(`unknown field "${entry.field}" dropped (the collection has ${fields.fields.map((f) => f.name).join(', ') || 'no metadata fields'})`);
      continue;
    }
    if (field.kind === 'list' || field.kind === 'mixed') {
      notes.push(`field "${field.name}" holds ${field.kind === 'list' ? 'lists' : 'values of several kinds'}; its condition was dropped`);
      continue;
    }
    const coerced = coerce(entry.value, field);
    if ('why' in coerced) {
      notes.push(`${field.name} = ${JSON.stringify(entry.value)} dropped: ${coerced.why}`);
      continue;
    }
    const value = coerced.value;
    if (field.name in metadata && metadata[field.name] !== value) {
      notes.push(`a second value for "${field.name}" (${JSON.stringify(value)}) dropped: a field can equal one value`);
      continue;
    }
    if (field.name !== entry.field) notes.push(`field "${entry.field}" read as "${field.name}"`);
    metadata[field.name] = value;
  }
  if (Object.keys(metadata).length > 0) filter.metadata = metadata;

  const type = draft.type?.trim();
  if (type) {
    const known = fields.types.find((t) => t.toLowerCase() === type.toLowerCase().replace(/^\./, '') || (TYPE_ALIASES[type.toLowerCase()] ?? '') === t);
    if (known) filter.type = known;
    else notes.push(`type "${type}" dropped (the collection has ${fields.types.join(', ') || 'no documents'})`);
  }

  const source = draft.source?.trim();
  if (source) {
    const glob = resolveSourceGlob(source, fields.sources);
    if (glob) {
      filter.source = glob;
      if (glob !== source) notes.push(`source "${source}" read as "${glob}"`);
    } else notes.push(`source "${source}" matches no document; dropped`);
  }

  const query = draft.query.trim() || options.question.trim();
  return { query, filter, notes };
}

const TYPE_ALIASES: Record<string, string> = { md: 'markdown', htm: 'html', txt: 'text', word: 'docx', doc: 'docx', excel: 'csv' };

const squash = (name: string) => name.toLowerCase().replace(/[\s_-]+/g, '');

function findField(fields: FieldSummary[], name: string): FieldSummary | undefined {
  return fields.find((f) => f.name === name) ?? fields.find((f) => squash(f.name) === squash(name));
}

/** The value in the field's kind and stored spelling, or why it cannot be a value of the field. */
function coerce(value: string | number | boolean, field: FieldSummary): { value: MetadataValue } | { why: string } {
  let typed: MetadataValue | undefined;
  if (field.kind === 'number') {
    const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value.trim()) : NaN;
    typed = Number.isFinite(n) ? n : undefined;
  } else if (field.kind === 'boolean') {
    typed = typeof value === 'boolean' ? value : /^(true|yes|1)$/i.test(String(value)) ? true : /^(false|no|0)$/i.test(String(value)) ? false : undefined;
  } else {
    typed = String(value).trim();
    const stored = field.allValues.find((v) => typeof v === 'string' && v.toLowerCase() === (typed as string).toLowerCase());
    if (stored !== undefined) typed = stored;
  }
  if (typed === undefined) return { why: `not a ${field.kind}` };
  if (field.complete && !field.allValues.some((v) => v === typed)) return { why: 'no document in the collection has it' };
  return { value: typed };
}

const GLOB_CHARS = /[*?[\]{}!]/;

/**
 * A glob that matches at least one source, or undefined. Tries the glob as written; a bare name as a folder
 * or file name anywhere; then the same with each literal path segment spelled as a real folder or file
 * name that differs only in case (the store's glob is case-sensitive, models are not).
 */
export function resolveSourceGlob(glob: string, sources: string[]): string | undefined {
  const matches = (g: string) => sources.some((s) => globMatch(g, s) === 1);
  const variants = (g: string) => {
    const bare = g.replace(/^\/+|\/+$/g, '');
    return GLOB_CHARS.test(g) ? [g] : [g, `**/${bare}/**`, `**/${bare}`, `**/*${bare}*`, `**/*${bare}*/**`];
  };
  for (const candidate of variants(glob)) if (matches(candidate)) return candidate;
  const names = new Map<string, string>();
  for (const source of sources) for (const part of source.replaceAll('\\', '/').split('/')) if (part) names.set(part.toLowerCase(), part);
  const respelled = glob
    .split('/')
    .map((part) => (GLOB_CHARS.test(part) ? part : (names.get(part.toLowerCase()) ?? part)))
    .join('/');
  if (respelled !== glob) for (const candidate of variants(respelled)) if (matches(candidate)) return candidate;
  return undefined;
}
