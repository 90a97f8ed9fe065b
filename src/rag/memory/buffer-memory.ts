import type { ChatMessage } from '../../spec/models.js';
import type { SessionTurn } from '../../spec/session.js';

export interface BufferMemoryOptions {
  turns: SessionTurn[];
  /** Token budget for the recent turns sent to the model (default 1500). */
  maxTokens?: number;
}

export interface BufferMemory {
  messages: ChatMessage[];
  /** The turns that did not fit: what summary and recall memory cover. */
  older: SessionTurn[];
}

/**
 * The most recent turns that fit the budget, whole, newest kept first. A question is never separated from
 * its answer: half an exchange misleads the model about what was asked or answered.
 */
export function bufferMemory(options: BufferMemoryOptions): BufferMemory {
  const budget = options.maxTokens ?? 1500;
  const turns = options.turns;
  let start = turns.length;
  let used = 0;
  while (start > 0) {
    // Step back one exchange: an assistant turn with the user turn before it, or a lone turn.
    const step = start >= 2 && turns[start - 1]!.role === 'assistant' && turns[start - 2]!.role === 'user' ? 2 : 1;
    const cost = turns.slice(start - step, start).reduce((sum, t) => sum + t.tokens + 4, 0);
    if (used + cost > budget) break;
    used += cost;
    start -= step;
  }
  return {
    messages: turns.slice(start).map((t) => ({ role: t.role, content: t.content })),
    older: turns.slice(0, start),
  };
}
