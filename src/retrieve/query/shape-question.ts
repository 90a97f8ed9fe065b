import { isLoreError, LoreError } from '../../spec/errors.js';
import type { EmbeddingModel, LanguageModel } from '../../spec/models.js';
import type { SearchFilter, Store } from '../../spec/store.js';
import { routeQuestion, routesFromCollections, type RouteDecision, type RouteMethod } from './route-question.js';
import { selfQuery } from './self-query.js';

export interface ShapeQuestionOptions {
  question: string;
  store: Store;
  /** Filters given by the caller (command line); they win over what self-query derives. */
  filter?: SearchFilter;
  /** Pick the collection for the question when `filter.collection` is not given. */
  route?: RouteMethod;
  /** Turn conditions in the question into filters (needs `model`). */
  selfQuery?: boolean;
  /** For `route: 'model'` and `selfQuery`. */
  model?: LanguageModel;
  /** For `route: 'embedding'`. */
  embedder?: EmbeddingModel;
  signal?: AbortSignal;
}

export interface ShapedQuestion {
  /** What to search: the question, or self-query's rewrite of it. */
  query: string;
  filter: SearchFilter;
  route?: RouteDecision;
  notes: string[];
}

/**
 * The question-side steps before search, as `lore ask` runs them and `lore eval rag` measures them: routing
 * picks the collection (when none is named), then self-query turns conditions in the question into filters.
 * Each is off unless asked for; with neither, the question and filter come back as given.
 */
export async function shapeQuestion(o: ShapeQuestionOptions): Promise<ShapedQuestion> {
  const notes: string[] = [];
  let filter: SearchFilter = { ...o.filter };
  let route: RouteDecision | undefined;
  if (!filter.collection && o.route) {
    route = await routeQuestion({ question: o.question, routes: await routesFromCollections({ store: o.store }), method: o.route, embedder: o.embedder, model: o.model, signal: o.signal });
    if (route.kind === 'collection') filter = { ...filter, collection: route.route };
  }
  let query = o.question;
  if (o.selfQuery) {
    if (!o.model) throw new LoreError({ code: 'INVALID_ARGUMENT', message: 'self-query needs a language model', hint: 'give --model SPEC or set LORE_MODEL' });
    const target = filter.collection ?? (await onlyCollection(o.store));
    try {
      const derived = await selfQuery({ question: o.question, model: o.model, store: o.store, collection: target, signal: o.signal });
      query = derived.query;
      // Filters given by the caller win over the model's.
      filter = { ...derived.filter, ...dropUndefined(filter), metadata: { ...derived.filter.metadata, ...o.filter?.metadata } };
      notes.push(`self-query: searched "${derived.query}" with ${JSON.stringify(derived.filter)}`, ...derived.notes);
    } catch (error) {
      // A model that cannot write the filter leaves the question to be searched as asked.
      if (isLoreError(error, 'ABORTED') || !isLoreError(error)) throw error;
      notes.push(`self-query failed (${error.message}); searched the question as asked`);
    }
  }
  return { query, filter, ...(route ? { route } : {}), notes };
}

/** Self-query needs one collection: the one named, else the only one there is. */
async function onlyCollection(store: Store): Promise<string> {
  const all = await store.listCollections();
  if (all.length === 1) return all[0]!.name;
  throw new LoreError({ code: 'INVALID_ARGUMENT', message: '--self-query needs a collection', hint: `name one with -c (${all.map((c) => c.name).join(', ') || 'none yet'}) or use --route` });
}

function dropUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
