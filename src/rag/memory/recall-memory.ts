import type { SessionTurn } from '../../spec/session.js';
import { analyze } from '../../text/analyze.js';

export interface RecallMemoryOptions {
  /** Turns outside the buffer (older ones). */
  turns: SessionTurn[];
  question: string;
  /** Exchanges recalled at most (default 2). */
  k?: number;
}

export interface RecalledExchange {
  question: string;
  answer: string;
  score: number;
  turnId: number;
}

/**
 * Retrieval over past turns: the earlier exchanges that share the most (IDF-weighted) terms with the new
 * question, for details a summary dropped ("what was the torque you told me at the start?"). Scored in
 * memory with the shared analyser, so it works in Chinese too; a session is small enough for a scan.
 */
export function recallMemory(options: RecallMemoryOptions): RecalledExchange[] {
  const exchanges: Array<{ question: string; answer: string; turnId: number; terms: Set<string> }> = [];
  const turns = options.turns;
  for (let i = 0; i < turns.length; i++) {
    const t = turns[i]!;
    if (t.role !== 'user') continue;
    const answer = turns[i + 1]?.role === 'assistant' ? turns[i + 1]!.content : '';
    exchanges.push({ question: t.content, answer, turnId: t.id, terms: new Set(analyze(`${t.standalone ?? t.content} ${answer}`)) });
  }
  if (exchanges.length === 0) return [];
  const df = new Map<string, number>();
  for (const e of exchanges) for (const term of e.terms) df.set(term, (df.get(term) ?? 0) + 1);
  const query = new Set(analyze(options.question));
  const scored = exchanges
    .map((e) => {
      let score = 0;
      for (const term of query) if (e.terms.has(term)) score += Math.log(1 + exchanges.length / df.get(term)!);
      return { question: e.question, answer: e.answer, turnId: e.turnId, score };
    })
    .filter((e) => e.score > 0)
    .sort((a, b) => b.score - a.score || b.turnId - a.turnId);
  return scored.slice(0, options.k ?? 2);
}
