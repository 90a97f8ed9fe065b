import type { LanguageModel, Usage } from '../../spec/models.js';
import type { SearchMode, SearchOptions } from '../search.js';
import { writeHypotheticalPassage } from './hyde.js';
import { DEFAULT_REPHRASINGS, rephraseQuestion } from './multi-query.js';
import type { QueryFusionMethod } from './rag-fusion.js';
import { addUsage, searchVariants, type QueryVariant, type TransformedSearchResult } from './query-variants.js';

/** The query transforms a search can combine; each is off unless asked for. */
export interface QueryTransforms {
  /** Multi-query: rephrasings to write (true = 3); 0 or false = none. */
  multiQuery?: number | boolean;
  /** HyDE: a hypothetical answer passage, searched as the question is unless `mode` says otherwise. */
  hyde?: boolean | { mode?: SearchMode; maxTokens?: number };
  /**
   * Ranking weights in the fusion: each rephrasing and the passage 1 by default, the question as much as
   * all of them together (see `MultiQuerySearchOptions.originalWeight`: a model's bad rephrasings must
   * not outvote the question).
   */
  weights?: { original?: number; rephrasing?: number; hypothetical?: number };
}

export interface ExpandQueryOptions extends QueryTransforms {
  question: string;
  model: LanguageModel;
  signal?: AbortSignal;
}

export interface ExpandedQuery {
  /** The question first, then what the transforms added. */
  variants: QueryVariant[];
  notes: string[];
  usage: Usage;
}

/**
 * Turns a question into the texts to retrieve for: the question itself, the model's rephrasings, and its
 * hypothetical answer passage. The two model calls run at once (they do not depend on each other).
 */
export async function expandQuery(options: ExpandQueryOptions): Promise<ExpandedQuery> {
  const count = options.multiQuery === true ? DEFAULT_REPHRASINGS : Number(options.multiQuery || 0);
  const hyde = options.hyde === true ? {} : options.hyde || undefined;
  const weights = options.weights ?? {};
  const [rephrased, hypothetical] = await Promise.all([
    count > 0 ? rephraseQuestion({ question: options.question, model: options.model, count, signal: options.signal }) : undefined,
    hyde ? writeHypotheticalPassage({ question: options.question, model: options.model, maxTokens: hyde.maxTokens, signal: options.signal }) : undefined,
  ]);
  const original: QueryVariant = { text: options.question, kind: 'original' };
  const variants: QueryVariant[] = [original];
  const notes = [...(rephrased?.notes ?? [])];
  for (const text of rephrased?.queries.slice(1) ?? []) variants.push({ text, kind: 'rephrasing', weight: weights.rephrasing ?? 1 });
  if (hypothetical?.passage) variants.push({ text: hypothetical.passage, kind: 'hypothetical', weight: weights.hypothetical ?? 1, ...(hyde?.mode ? { mode: hyde.mode } : {}) });
  else if (hyde) notes.push(`${options.model.id} wrote no passage: HyDE skipped`);
  original.weight = weights.original ?? Math.max(1, variants.slice(1).reduce((sum, v) => sum + (v.weight ?? 1), 0));
  return { variants, notes, usage: addUsage(rephrased?.usage, hypothetical?.usage) };
}

export interface ExpandedSearchOptions extends SearchOptions, QueryTransforms {
  /** Needed when a transform is on; without one (or with no transform) this is the plain search. */
  model?: LanguageModel;
  /** Hits taken from each search into the fusion (default max(k, 50)). */
  candidates?: number;
  fusionMethod?: QueryFusionMethod;
  rrfK?: number;
}

/**
 * The one entry point for query-side transforms: expands the question (multi-query, HyDE, or both), searches
 * every variant and fuses the rankings. With no transform, or no model, it is `searchWithNotes` exactly
 * (plus a note when a transform was asked for without a model).
 */
export async function expandedSearch(options: ExpandedSearchOptions): Promise<TransformedSearchResult> {
  const { model, multiQuery, hyde, weights, ...search } = options;
  const wanted = Boolean(multiQuery) || Boolean(hyde);
  if (!wanted || !model) {
    const result = await searchVariants({ ...search, variants: [{ text: search.query, kind: 'original' }] });
    return { ...result, notes: [...(wanted ? ['no model: query transforms skipped'] : []), ...result.notes], usage: { inputTokens: 0, outputTokens: 0 } };
  }
  const expanded = await expandQuery({ question: search.query, model, multiQuery, hyde, weights, signal: search.signal });
  const result = await searchVariants({ ...search, variants: expanded.variants });
  return { ...result, notes: [...new Set([...expanded.notes, ...result.notes])], usage: expanded.usage };
}
