import type { LanguageModel } from '../../spec/models.js';
import type { SessionTurn } from '../../spec/session.js';

export interface SummarizeOptions {
  model: LanguageModel;
  /** The summary so far (of earlier turns), if any. */
  previous: string | null;
  /** Turns that left the buffer since the previous summary, oldest first. */
  turns: SessionTurn[];
  /** Words at most (default 150). */
  maxWords?: number;
  signal?: AbortSignal;
}

/**
 * Summary memory: older turns folded into a running summary by the model, so a long conversation keeps its
 * facts without resending every turn. The previous summary is extended, not rewritten from scratch, which
 * keeps each call small however long the session grows.
 */
export async function summarizeTurns(options: SummarizeOptions): Promise<string> {
  const transcript = options.turns.map((t) => `${t.role === 'user' ? 'User' : 'Assistant'}: ${t.content}`).join('\n');
  const result = await options.model.generate({
    messages: [
      {
        role: 'system',
        content: `You keep a running summary of a conversation. Write at most ${options.maxWords ?? 150} words, in the language of the conversation. Keep names, numbers, decisions and open questions; drop pleasantries. Reply with the summary only.`,
      },
      { role: 'user', content: `${options.previous ? `Summary so far:\n${options.previous}\n\n` : ''}New turns:\n${transcript}` },
    ],
    temperature: 0,
    maxTokens: Math.ceil((options.maxWords ?? 150) * 2),
    signal: options.signal,
  });
  return result.text.trim();
}
