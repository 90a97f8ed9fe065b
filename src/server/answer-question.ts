import { answerExtractively, answerWithModel, type Answer, type ChatMessage, type SearchHit, type SearchMode } from '../index.js';
import { notFound } from './http-error.js';
import type { ConfiguredModel } from './model-registry.js';
import type { Principal } from './principal.js';
import { scopedSearch, type ScopedSearchOptions } from './scoped-search.js';
import type { ServerContext } from './server-context.js';

export interface AnswerQuestionOptions {
  app: ServerContext;
  principal: Principal;
  question: string;
  /** What retrieval searches for instead of the question (a follow-up condensed to stand alone); the answer still addresses the question. */
  query?: string;
  collection?: string;
  mode: SearchMode;
  k: number;
  /** Writes the answer; none: an extractive answer, as `lore ask` gives without a model. */
  model?: ConfiguredModel;
  history?: ChatMessage[];
  /** Retrieval steps (rerank, context, compress, multi-query, HyDE); model-driven ones use the answer model. */
  steps?: ScopedSearchOptions['steps'];
  onHits?: (hits: SearchHit[]) => void;
  onText?: (delta: string) => void;
  signal?: AbortSignal;
}

/** Retrieval over what the caller may see, then an answer with citations: written by a model, or quoted. */
export async function answerQuestion(o: AnswerQuestionOptions): Promise<{ answer: Answer; hits: SearchHit[] }> {
  const { hits } = await scopedSearch({
    app: o.app,
    principal: o.principal,
    query: o.query ?? o.question,
    collection: o.collection,
    mode: o.mode,
    k: o.k,
    steps: o.steps,
    model: o.model?.model ?? o.app.models.answerModel?.model,
    signal: o.signal,
  });
  o.onHits?.(hits);
  if (o.model && hits.length > 0) {
    const answer = await answerWithModel({ question: o.question, hits, model: o.model.model, history: o.history, onText: o.onText, signal: o.signal });
    return { answer, hits };
  }
  // Quoted sentences are chosen by their words, so they are chosen for what was searched; the answer keeps the question asked.
  const answer = answerExtractively({ question: o.query ?? o.question, hits });
  answer.question = o.question;
  o.onText?.(answer.text);
  return { answer, hits };
}

/**
 * The model a request names: `extractive` for none, a configured model by name, or (unnamed) the server's
 * answer model. An unknown name is a 404, never a call to somewhere new.
 */
export function chooseModel(app: ServerContext, name: string | undefined): ConfiguredModel | undefined {
  if (name === 'extractive') return undefined;
  if (name === undefined) return app.models.answerModel;
  const model = app.models.find(name);
  if (!model) throw notFound(`No model "${name}" on this server; see /v1/models`, 'model_not_found');
  return model;
}
