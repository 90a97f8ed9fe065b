import type { EmbeddingModel, LanguageModel } from '../spec/models.js';
import type { SessionTurn } from '../spec/session.js';
import type { Store } from '../spec/store.js';
import { answerExtractively } from '../rag/extractive-answer.js';
import { condenseQuestion } from '../rag/memory/condense-question.js';
import { search, type SearchMode } from '../retrieve/search.js';
import type { FollowUpConversation } from './follow-up-set.js';

export type CondensationMethod = 'none' | 'lexical' | 'model';

export interface EvaluateCondensationOptions {
  store: Store;
  collection: string;
  conversations: FollowUpConversation[];
  method: CondensationMethod;
  /** Needed for `model`. */
  model?: LanguageModel;
  mode?: SearchMode;
  embedder?: EmbeddingModel;
  /** Documents considered (default 5). */
  k?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface CondensationEvaluation {
  method: CondensationMethod;
  conversations: number;
  /** Mean over conversations of |relevant ∩ top k| / |relevant|. */
  recall: number;
  /** Share of conversations with a relevant document in the top k. */
  hitRate: number;
  items: Array<{ id: string; searched: string; recall: number }>;
}

function turn(id: number, role: 'user' | 'assistant', content: string): SessionTurn {
  return { id, role, content, standalone: null, citations: [], tokens: 0, createdAt: '' };
}

/**
 * Recall@k of the follow-up of each scripted conversation, searched as typed (`none`), condensed lexically,
 * or condensed by a model. The first turn is answered extractively from the same store, so a model sees
 * a realistic history, not a placeholder.
 */
export async function evaluateCondensation(o: EvaluateCondensationOptions): Promise<CondensationEvaluation> {
  const k = o.k ?? 5;
  const items: CondensationEvaluation['items'] = [];
  for (const c of o.conversations) {
    const openingHits = await search({ store: o.store, query: c.opening, k: 4, mode: 'keyword', filter: { collection: o.collection } });
    const history = [turn(1, 'user', c.opening), turn(2, 'assistant', answerExtractively({ question: c.opening, hits: openingHits, maxSentences: 2 }).text)];
    const searched =
      o.method === 'none' ? c.followUp : (await condenseQuestion({ question: c.followUp, history, model: o.method === 'model' ? o.model : undefined })).standalone;
    const hits = await search({ store: o.store, query: searched, k: k * 4, mode: o.mode ?? 'keyword', embedder: o.embedder, filter: { collection: o.collection } });
    const top: string[] = [];
    for (const h of hits) {
      const id = String(h.metadata['id'] ?? h.source);
      if (!top.includes(id)) top.push(id);
      if (top.length === k) break;
    }
    const found = c.relevant.filter((id) => top.includes(id)).length;
    items.push({ id: c.id, searched, recall: found / c.relevant.length });
    o.onProgress?.(items.length, o.conversations.length);
  }
  const mean = (f: (i: (typeof items)[number]) => number) => (items.length ? items.reduce((s, i) => s + f(i), 0) / items.length : 0);
  return { method: o.method, conversations: items.length, recall: mean((i) => i.recall), hitRate: mean((i) => (i.recall > 0 ? 1 : 0)), items };
}
