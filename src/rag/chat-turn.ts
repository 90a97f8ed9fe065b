import type { EmbeddingModel, ChatMessage, LanguageModel } from '../spec/models.js';
import type { SessionStore, SessionTurn } from '../spec/session.js';
import type { SearchFilter, SearchHit, Store } from '../spec/store.js';
import { search, type SearchMode } from '../retrieve/search.js';
import { countTokens } from '../text/count-tokens.js';
import type { Answer } from './answer.js';
import { answerExtractively, DEFAULT_ANSWER_CHUNKS } from './extractive-answer.js';
import { answerWithModel } from './generate-answer.js';
import { bufferMemory } from './memory/buffer-memory.js';
import { condenseQuestion, type CondensedQuestion } from './memory/condense-question.js';
import { recallMemory } from './memory/recall-memory.js';
import { summarizeTurns } from './memory/summary-memory.js';
import { GEN_AI, LORE } from '../trace/attributes.js';
import { recordContent } from '../trace/record-content.js';
import { withSpan } from '../trace/with-span.js';

export interface ChatMemoryOptions {
  /** Token budget for recent turns sent verbatim (default 1500). */
  bufferTokens?: number;
  /** Fold turns that leave the buffer into a running summary with the model (default true). */
  summary?: boolean;
  /** Older exchanges recalled by relevance to the new question (default 2; 0 turns it off). */
  recall?: number;
}

export interface ChatTurnOptions {
  store: Store;
  sessions: SessionStore;
  sessionId: string;
  question: string;
  /** Writes answers (and condenses follow-ups); without one, answers are extractive. */
  model?: LanguageModel;
  embedder?: EmbeddingModel;
  k?: number;
  mode?: SearchMode;
  filter?: SearchFilter;
  /** Rewrite follow-ups into standalone questions before retrieval (default true). */
  condense?: boolean;
  memory?: ChatMemoryOptions;
  onText?: (delta: string) => void;
  signal?: AbortSignal;
}

export interface ChatTurnResult {
  answer: Answer;
  /** The question retrieval used, and how it was obtained. */
  condensed: CondensedQuestion;
  hits: SearchHit[];
}

/**
 * One turn of a conversation: condense the follow-up, retrieve for it, answer with memory (summary of old
 * turns, recalled relevant exchanges, recent turns verbatim), and store both turns. The turns are written
 * only once the answer is complete, so an interrupted turn leaves the session as it was.
 */
export function chatTurn(options: ChatTurnOptions): Promise<ChatTurnResult> {
  const attributes = { [GEN_AI.conversationId]: options.sessionId, ...(options.filter?.collection ? { [LORE.collection]: options.filter.collection } : {}) };
  return withSpan('rag.chat_turn', attributes, async (span) => {
    recordContent(span, LORE.question, options.question);
    const result = await answerTurn(options);
    span.setAttribute('lore.condensed', result.condensed.method);
    recordContent(span, 'lore.standalone_question', result.condensed.standalone);
    return result;
  });
}

async function answerTurn(options: ChatTurnOptions): Promise<ChatTurnResult> {
  // Where several processes share the sessions (PostgreSQL), one turn of a conversation at a time: the next
  // reads the history only once the previous one has stored its turns.
  const release = await options.sessions.lockTurn?.(options.sessionId, { signal: options.signal });
  try {
    return await lockedTurn(options);
  } finally {
    await release?.();
  }
}

async function lockedTurn(options: ChatTurnOptions): Promise<ChatTurnResult> {
  const session = (await options.sessions.getSession(options.sessionId)) ?? (await options.sessions.createSession({ id: options.sessionId }));
  const history = await options.sessions.turns(session.id);
  const condensed =
    options.condense === false
      ? { standalone: options.question.trim(), method: 'unchanged' as const }
      : await withSpan('rag.condense', { 'lore.history_turns': history.length }, () =>
          condenseQuestion({ question: options.question, history, model: options.model, signal: options.signal }),
        );
  const hits = await search({
    store: options.store,
    query: condensed.standalone,
    k: options.k ?? DEFAULT_ANSWER_CHUNKS,
    mode: options.mode ?? 'hybrid',
    embedder: options.embedder,
    filter: options.filter,
    signal: options.signal,
  });

  let answer: Answer;
  if (options.model && hits.length > 0) {
    const messages = await memoryMessages({ ...options, history, summary: session.summary, summaryThrough: session.summaryThrough, model: options.model });
    answer = await answerWithModel({ question: options.question, hits, model: options.model, history: messages, onText: options.onText, signal: options.signal });
  } else {
    answer = answerExtractively({ question: condensed.standalone, hits });
    answer.question = options.question;
    options.onText?.(answer.text);
  }

  const user = options.question.trim();
  await options.sessions.appendTurn({ sessionId: session.id, role: 'user', content: user, standalone: condensed.method === 'unchanged' ? undefined : condensed.standalone, tokens: countTokens(user) });
  await options.sessions.appendTurn({ sessionId: session.id, role: 'assistant', content: answer.text, citations: answer.citations, tokens: countTokens(answer.text) });
  return { answer, condensed, hits };
}

async function memoryMessages(
  o: ChatTurnOptions & { model: LanguageModel; history: SessionTurn[]; summary: string | null; summaryThrough: number },
): Promise<ChatMessage[]> {
  const { messages, older } = bufferMemory({ turns: o.history, maxTokens: o.memory?.bufferTokens });
  const out: ChatMessage[] = [];
  let summary = o.summary;
  const unsummarised = older.filter((t) => t.id > o.summaryThrough);
  if ((o.memory?.summary ?? true) && unsummarised.length > 0) {
    summary = await summarizeTurns({ model: o.model, previous: summary, turns: unsummarised, signal: o.signal });
    await o.sessions.setSummary({ sessionId: o.sessionId, summary, through: unsummarised.at(-1)!.id });
  }
  if (summary) out.push({ role: 'system', content: `Summary of the earlier conversation:\n${summary}` });
  const recalled = (o.memory?.recall ?? 2) > 0 ? recallMemory({ turns: older, question: o.question, k: o.memory?.recall ?? 2 }) : [];
  if (recalled.length > 0) {
    out.push({
      role: 'system',
      content: `Earlier exchanges that may be relevant:\n${recalled.map((r) => `User: ${r.question}\nAssistant: ${r.answer}`).join('\n\n')}`,
    });
  }
  return [...out, ...messages];
}
