import { createLlmReranker, retrieve, type LanguageModel, type SearchFilter, type SearchHit, type SearchMode } from '../index.js';
import type { z } from 'zod';
import type { RetrievalSteps } from './schemas/api-schemas.js';
import { badRequest } from './http-error.js';
import { notFound } from './http-error.js';
import { requireVisible, searchScope, type Principal } from './principal.js';
import type { ServerContext } from './server-context.js';

export interface ScopedSearchOptions {
  app: ServerContext;
  principal: Principal;
  query: string;
  collection?: string;
  mode: SearchMode;
  k: number;
  filter?: Omit<SearchFilter, 'collection'>;
  expand?: boolean;
  /** Rerank, context, compression and query-side steps (see `retrieve`). */
  steps?: z.infer<typeof RetrievalSteps>;
  /** Writes rephrasings, hypothetical passages and rerank grades when a step asks for them. */
  model?: LanguageModel;
  signal?: AbortSignal;
}

export interface ScopedSearchResult {
  mode: SearchMode;
  hits: SearchHit[];
  notes: string[];
  tookMs: number;
}

/** A collection the caller names: it must exist and be in scope, and a 404 does not say which it failed. */
export async function requireCollection(app: ServerContext, principal: Principal, collection: string): Promise<void> {
  requireVisible(principal, collection);
  if (!(await app.store.getCollection(collection))) throw notFound(`No collection "${collection}"`);
}

/**
 * Search limited to what the caller may see. A named collection must exist and be in scope (else 404, the
 * same answer either way). Without one, an unrestricted caller searches everything at once, and a key
 * searches each of its collections (with that collection's embedder) and the results are merged by score:
 * scores are each collection's own, so the merge is approximate, but nothing outside the scope is read.
 */
export async function scopedSearch(o: ScopedSearchOptions): Promise<ScopedSearchResult> {
  const started = performance.now();
  if (o.collection !== undefined) await requireCollection(o.app, o.principal, o.collection);
  const scope = searchScope(o.principal, o.collection);
  const steps = o.steps ?? {};
  if ((steps.rerank === 'llm' || steps.multiQuery || steps.hyde) && !o.model) {
    throw badRequest('rerank "llm", multiQuery and hyde need a model: start the server with --model, or name one');
  }
  const run = async (collection: string | undefined) =>
    retrieve({
      rerank: steps.rerank === 'llm' ? createLlmReranker({ model: o.model! }) : steps.rerank,
      context: steps.context ? { mode: steps.context } : undefined,
      compress: steps.compress ? { maxTokens: steps.compress } : undefined,
      transforms: o.model && (steps.multiQuery || steps.hyde) ? { model: o.model, multiQuery: steps.multiQuery, hyde: steps.hyde } : undefined,
      store: o.app.store,
      query: o.query,
      k: o.k,
      mode: o.mode,
      embedder: o.mode === 'keyword' ? undefined : collection ? await o.app.embedders.forCollection(collection) : o.app.embedders.defaultEmbedder,
      filter: { ...o.filter, collection },
      feedback: o.expand,
      signal: o.signal,
    });
  if (scope === undefined) {
    const result = await run(undefined);
    return { mode: o.mode, hits: result.hits, notes: result.notes, tookMs: elapsed(started) };
  }
  const existing: string[] = [];
  for (const c of scope) if (await o.app.store.getCollection(c)) existing.push(c);
  const results = [];
  for (const collection of existing) results.push(await run(collection));
  const hits = results.flatMap((r) => r.hits).sort((a, b) => b.score - a.score).slice(0, o.k);
  const notes = [...new Set(results.flatMap((r) => r.notes))];
  return { mode: o.mode, hits, notes, tookMs: elapsed(started) };
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}
