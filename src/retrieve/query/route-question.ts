import { z } from 'zod';
import { generateObject } from '../../prompt/generate-object.js';
import { isLoreError, LoreError } from '../../spec/errors.js';
import type { EmbeddingModel, LanguageModel, Usage } from '../../spec/models.js';
import type { Store } from '../../spec/store.js';
import { analyze } from '../../text/analyze.js';
import { supportsText } from '../../text/language.js';

/** A collection to search, no retrieval at all, or a SQL source the caller answers from. */
export type RouteKind = 'collection' | 'none' | 'sql';
export type RouteMethod = 'rules' | 'embedding' | 'model';
export const ROUTE_METHODS: readonly RouteMethod[] = ['rules', 'embedding', 'model'];

export interface Route {
  /** A collection name, or `none` / `sql`. */
  name: string;
  /** Default: `none` and `sql` by name, `collection` otherwise. */
  kind?: RouteKind;
  /** What the route holds, for the model and the embedding method. */
  description?: string;
  /** Rules: words or phrases; a keyword matches when all its words are in the question (stemmed, segmented). */
  keywords?: string[];
  /** Rules: regular expressions (strings are compiled case-insensitive, Unicode). */
  patterns?: Array<string | RegExp>;
  /** Embedding: example questions for this route. */
  examples?: string[];
  /** Embedding: a precomputed vector, e.g. the collection's centroid (`collectionCentroid`). */
  centroid?: Float32Array;
}

export interface RouteDecision {
  route: string;
  kind: RouteKind;
  /** 0–1: rules, the share of all matches that went to this route; embedding, the softmax of the similarities; model, its own rating. 0 for a fallback. */
  confidence: number;
  /** The method that decided (`rules` when the embedding method stepped aside for the question's language). */
  method: RouteMethod;
  reason: string;
  /** Each route's score under the method: matches, or cosine similarity. */
  scores?: Record<string, number>;
  usage?: Usage;
}

export interface RouteQuestionOptions {
  question: string;
  routes: Route[];
  method: RouteMethod;
  /** The route when nothing decides (default: `none` when it is a route, else the first route). */
  fallback?: string;
  /** For `embedding`. */
  embedder?: EmbeddingModel;
  /** For `embedding`: below this cosine similarity, the fallback route is taken (default: no threshold). */
  minSimilarity?: number;
  /** For `model`. */
  model?: LanguageModel;
  signal?: AbortSignal;
}

/** What `none` means when its route gives no description. */
export const NONE_DESCRIPTION = 'No documents needed: greetings, thanks, small talk, arithmetic, questions about this conversation itself.';

/**
 * Picks where a question goes: a collection, `none` (answer without retrieval), or `sql`. Three methods,
 * each cheap to explain: `rules` (keywords and patterns the user configured; no model, no surprises),
 * `embedding` (the question's similarity to each route's description, examples or stored centroid),
 * `model` (a language model chooses from the list, with a reason). A route the method cannot decide on
 * falls back, with confidence 0 and a reason that says so, rather than guessing.
 */
export async function routeQuestion(options: RouteQuestionOptions): Promise<RouteDecision> {
  const routes = checkRoutes(options.routes);
  const fallbackName = options.fallback ?? (routes.some((r) => r.name === 'none') ? 'none' : routes[0]!.name);
  const fallbackRoute = routes.find((r) => r.name === fallbackName);
  if (!fallbackRoute) throw new LoreError({ code: 'INVALID_ARGUMENT', message: `The fallback route "${fallbackName}" is not among the routes`, subject: fallbackName });
  const fallback = (method: RouteMethod, reason: string, extra: Partial<RouteDecision> = {}): RouteDecision => ({
    route: fallbackRoute.name,
    kind: kindOf(fallbackRoute),
    confidence: 0,
    method,
    reason,
    ...extra,
  });
  switch (options.method) {
    case 'rules':
      return routeByRules({ question: options.question, routes, fallback });
    case 'embedding': {
      if (!options.embedder) throw new LoreError({ code: 'INVALID_ARGUMENT', message: 'Routing by embedding needs an embedder', hint: 'pass an embedder, or route by rules or model' });
      if (!supportsText(options.embedder.languages, options.question)) {
        // An English-only model's vector of a Chinese question is noise; configured rules are better than a guess.
        const byRules = routeByRules({ question: options.question, routes, fallback });
        return { ...byRules, reason: `${options.embedder.id} does not represent the question's language; by rules: ${byRules.reason}` };
      }
      return routeByEmbedding({ question: options.question, routes, embedder: options.embedder, minSimilarity: options.minSimilarity, fallback, signal: options.signal });
    }
    case 'model':
      if (!options.model) throw new LoreError({ code: 'INVALID_ARGUMENT', message: 'Routing by model needs a model', hint: 'pass --model, or route by rules or embedding' });
      return routeByModel({ question: options.question, routes, model: options.model, fallback, signal: options.signal });
    default:
      throw new LoreError({ code: 'INVALID_ARGUMENT', message: `Unknown routing method "${String(options.method)}"`, hint: `use ${ROUTE_METHODS.join(', ')}` });
  }
}

function kindOf(route: Route): RouteKind {
  return route.kind ?? (route.name === 'none' ? 'none' : route.name === 'sql' ? 'sql' : 'collection');
}

function checkRoutes(routes: Route[]): Route[] {
  if (routes.length === 0) throw new LoreError({ code: 'INVALID_ARGUMENT', message: 'There are no routes to choose from' });
  const names = new Set<string>();
  for (const r of routes) {
    if (!r.name.trim()) throw new LoreError({ code: 'INVALID_ARGUMENT', message: 'A route has no name' });
    if (names.has(r.name)) throw new LoreError({ code: 'INVALID_ARGUMENT', message: `Two routes are named "${r.name}"`, subject: r.name });
    names.add(r.name);
  }
  return routes;
}

type Fallback = (method: RouteMethod, reason: string, extra?: Partial<RouteDecision>) => RouteDecision;

function compilePattern(pattern: string | RegExp, route: string): RegExp {
  if (pattern instanceof RegExp) return pattern;
  try {
    return new RegExp(pattern, 'iu');
  } catch (cause) {
    throw new LoreError({ code: 'INVALID_ARGUMENT', message: `Route "${route}" has an invalid pattern ${JSON.stringify(pattern)}: ${(cause as Error).message}`, subject: route, cause });
  }
}

/**
 * Keywords are compared as analysed terms (the same analyser as search), so "turbines" matches the keyword
 * "turbine" and 齿轮 matches inside 齿轮油; a multi-word keyword needs all its words. Each keyword and each
 * pattern that matches counts one; the route with most matches wins, ties to the route listed first.
 */
function routeByRules(o: { question: string; routes: Route[]; fallback: Fallback }): RouteDecision {
  const terms = new Set(analyze(o.question));
  const scores: Record<string, number> = {};
  const matched = new Map<string, string[]>();
  for (const route of o.routes) {
    const found: string[] = [];
    for (const keyword of route.keywords ?? []) {
      const words = analyze(keyword);
      if (words.length > 0 && words.every((w) => terms.has(w))) found.push(keyword);
    }
    for (const pattern of route.patterns ?? []) {
      const regex = compilePattern(pattern, route.name);
      regex.lastIndex = 0;
      if (regex.test(o.question)) found.push(`/${regex.source}/`);
    }
    scores[route.name] = found.length;
    matched.set(route.name, found);
  }
  const total = Object.values(scores).reduce((a, b) => a + b, 0);
  if (total === 0) return o.fallback('rules', 'no rule matched', { scores });
  const best = o.routes.reduce((a, b) => (scores[b.name]! > scores[a.name]! ? b : a));
  const found = matched.get(best.name)!;
  return { route: best.name, kind: kindOf(best), confidence: scores[best.name]! / total, method: 'rules', reason: `matched ${found.map((f) => (f.startsWith('/') ? f : `"${f}"`)).join(', ')}`, scores };
}

/** Softmax temperature over cosines: USE-style similarities differ by a few hundredths between close topics. */
const SOFTMAX_TEMPERATURE = 0.05;

/**
 * A route scores its best cosine with the question over its vectors: the centroid when given, the
 * description, and each example question (the best example, not their average: a route may cover several
 * kinds of question). Routes with nothing to embed take no part.
 */
async function routeByEmbedding(o: { question: string; routes: Route[]; embedder: EmbeddingModel; minSimilarity?: number; fallback: Fallback; signal?: AbortSignal }): Promise<RouteDecision> {
  const texts: string[] = [o.question];
  const owners: Array<{ route: number; text: string }> = [];
  o.routes.forEach((route, i) => {
    const description = route.description ?? (kindOf(route) === 'none' ? NONE_DESCRIPTION : undefined);
    for (const text of [description, ...(route.examples ?? [])]) {
      if (text?.trim() && supportsText(o.embedder.languages, text)) {
        owners.push({ route: i, text });
        texts.push(text);
      }
    }
  });
  const vectors = await o.embedder.embed(texts, { signal: o.signal });
  const question = vectors[0]!;
  const best = new Map<number, number>();
  const consider = (route: number, similarity: number) => best.set(route, Math.max(best.get(route) ?? -Infinity, similarity));
  owners.forEach((owner, i) => consider(owner.route, dot(question, vectors[i + 1]!)));
  o.routes.forEach((route, i) => {
    if (route.centroid) consider(i, dot(question, route.centroid));
  });
  if (best.size === 0) return o.fallback('embedding', 'no route has a description, examples or a centroid to compare with');
  const scores: Record<string, number> = {};
  for (const [i, similarity] of best) scores[o.routes[i]!.name] = similarity;
  const ranked = [...best].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  const [winner, similarity] = ranked[0]!;
  if (o.minSimilarity !== undefined && similarity < o.minSimilarity) {
    return o.fallback('embedding', `best similarity ${similarity.toFixed(3)} (${o.routes[winner]!.name}) is below ${o.minSimilarity}`, { scores });
  }
  const exps = ranked.map(([, s]) => Math.exp((s - similarity) / SOFTMAX_TEMPERATURE));
  const confidence = 1 / exps.reduce((a, b) => a + b, 0);
  const route = o.routes[winner]!;
  const runnerUp = ranked[1];
  return {
    route: route.name,
    kind: kindOf(route),
    confidence,
    method: 'embedding',
    reason: `most similar (${similarity.toFixed(3)}${runnerUp ? `; next ${o.routes[runnerUp[0]]!.name} ${runnerUp[1].toFixed(3)}` : ''})`,
    scores,
  };
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * (b[i] ?? 0);
  return sum;
}

const CONFIDENCE = { high: 0.9, medium: 0.6, low: 0.3 } as const;

const ROUTER_PROMPT = [
  'You route questions. Pick the one route below that should answer the question: a document collection',
  'that holds the answer, "none" when no documents are needed, or "sql" when the answer is in the database.',
  'Say in a few words why, and how sure you are. Do not answer the question.',
].join(' ');

/** The model picks from the route names (an enum in the schema, so it cannot name a route that does not exist). */
async function routeByModel(o: { question: string; routes: Route[]; model: LanguageModel; fallback: Fallback; signal?: AbortSignal }): Promise<RouteDecision> {
  const names = o.routes.map((r) => r.name) as [string, ...string[]];
  const schema = z.object({ route: z.enum(names), reason: z.string(), confidence: z.enum(['high', 'medium', 'low']) });
  const list = o.routes.map((r) => `- ${r.name}: ${r.description ?? (kindOf(r) === 'none' ? NONE_DESCRIPTION : kindOf(r) === 'sql' ? 'the SQL database' : `the "${r.name}" collection`)}`);
  try {
    const result = await generateObject({
      model: o.model,
      schema,
      name: 'route',
      messages: [
        { role: 'system', content: ROUTER_PROMPT },
        { role: 'user', content: `Routes:\n${list.join('\n')}\n\nQuestion: ${o.question}` },
      ],
      temperature: 0,
      maxTokens: 120,
      signal: o.signal,
    });
    const route = o.routes.find((r) => r.name === result.value.route)!;
    return { route: route.name, kind: kindOf(route), confidence: CONFIDENCE[result.value.confidence], method: 'model', reason: result.value.reason.trim() || 'chosen by the model', usage: result.usage };
  } catch (error) {
    if (!isLoreError(error, 'PARSE_ERROR')) throw error;
    return o.fallback('model', `${o.model.id} named no valid route`);
  }
}

/**
 * Routes for a store's collections, read from each collection's settings: `description` (string),
 * `keywords`, `patterns` and `examples` (string arrays) — set with `updateCollectionSettings`. Adds `none`
 * when asked (with `noneKeywords`/`nonePatterns` for rules) and `sql` when a SQL source is configured.
 */
export async function routesFromCollections(options: {
  store: Store;
  /** Collections to offer (default all). */
  collections?: string[];
  none?: boolean | Omit<Route, 'name' | 'kind'>;
  sql?: Omit<Route, 'name' | 'kind'>;
}): Promise<Route[]> {
  const strings = (value: unknown) => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined);
  const routes: Route[] = (await options.store.listCollections())
    .filter((c) => !options.collections || options.collections.includes(c.name))
    .map((c) => {
      const s = c.settings;
      return {
        name: c.name,
        kind: 'collection' as const,
        ...(typeof s['description'] === 'string' ? { description: s['description'] } : {}),
        ...(strings(s['keywords']) ? { keywords: strings(s['keywords']) } : {}),
        ...(strings(s['patterns']) ? { patterns: strings(s['patterns']) } : {}),
        ...(strings(s['examples']) ? { examples: strings(s['examples']) } : {}),
      };
    });
  if (options.none) routes.push({ name: 'none', kind: 'none', ...(options.none === true ? { patterns: [...DEFAULT_NONE_PATTERNS] } : options.none) });
  if (options.sql) routes.push({ name: 'sql', kind: 'sql', ...options.sql });
  return routes;
}

/** Greetings and thanks, English and Chinese: questions that need no retrieval, for the rules method. */
export const DEFAULT_NONE_PATTERNS: readonly string[] = [
  '^\\s*(hi|hello|hey|good (morning|afternoon|evening)|thanks|thank you|bye)\\b[\\s!.,?]*$',
  '^\\s*(你好|您好|谢谢|多谢|再见|早上好|晚上好)[\\s！!。，,？?]*$',
];

/**
 * The mean of a collection's stored chunk vectors from this embedder, unit length: what the collection is
 * about, for routing by embedding without writing a description. Reads at most `sampleChunks` chunks,
 * spread over the documents. Undefined when the collection has no vectors from this embedder.
 */
export async function collectionCentroid(options: { store: Store; collection: string; embedder: string; sampleChunks?: number }): Promise<Float32Array | undefined> {
  const documents = await options.store.listDocuments({ collection: options.collection });
  const budget = options.sampleChunks ?? 1000;
  const perDocument = Math.max(1, Math.ceil(budget / Math.max(1, documents.length)));
  const ids: number[] = [];
  for (const doc of documents) {
    if (ids.length >= budget) break;
    for (const chunk of await options.store.documentChunks({ documentId: doc.id, fromOrdinal: 0, toOrdinal: perDocument - 1 })) ids.push(chunk.chunkId);
  }
  let sum: Float32Array | undefined;
  for (const vector of (await options.store.chunkVectors({ embedder: options.embedder, chunkIds: ids })).values()) {
    if (!vector) continue;
    sum ??= new Float32Array(vector.length);
    for (let i = 0; i < vector.length; i++) sum[i]! += vector[i]!;
  }
  if (!sum) return undefined;
  const norm = Math.hypot(...sum) || 1;
  return sum.map((x) => x / norm);
}
