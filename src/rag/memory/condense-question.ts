import type { LanguageModel } from '../../spec/models.js';
import type { SessionTurn } from '../../spec/session.js';
import { analyze } from '../../text/analyze.js';
import { detectScript } from '../../text/language.js';

/** A turn as condensation reads it: a stored session turn, or a message of a conversation the caller sent. */
export type ConversationTurn = Pick<SessionTurn, 'role' | 'content'> & { standalone?: string | null };

export interface CondenseOptions {
  question: string;
  /** The conversation so far, oldest first. */
  history: ConversationTurn[];
  /** Rewrites with this model; without one, a lexical fallback (see below). */
  model?: LanguageModel;
  /** Exchanges of history shown to the model (default 3). */
  historyTurns?: number;
  signal?: AbortSignal;
}

export interface CondensedQuestion {
  /** What retrieval should search for. */
  standalone: string;
  method: 'unchanged' | 'model' | 'lexical';
}

const PROMPT = [
  'Rewrite the last user question so that it can be understood without the conversation: replace pronouns',
  'and references ("it", "that one", "its price", "它", "那个") with what they refer to, and add the topic if the',
  'question leaves it out. Keep the language of the question. Do not answer it. If it already stands alone,',
  'repeat it unchanged. Reply with the rewritten question only.',
].join(' ');

/** Follow-up markers: pronouns and continuations that lean on earlier turns, English and Chinese. */
const FOLLOW_UP_EN = /\b(it|its|it's|they|them|their|this|that|these|those|he|she|his|her|one|ones|there|then|same|also|else|more|again)\b|^\s*(and|but|what about|how about|why|so)\b/i;
const FOLLOW_UP_ZH = /[它他她其该此这那][们个些种样里儿]?|^(那么?|还有|然后|为什么|怎么样|呢)|呢[？?]?$/;

/** Whether a question seems to lean on the conversation (used by the lexical fallback only). */
export function looksLikeFollowUp(question: string): boolean {
  const zh = detectScript(question) === 'zh';
  return zh ? FOLLOW_UP_ZH.test(question) : FOLLOW_UP_EN.test(question) || analyze(question).length <= 2;
}

/**
 * Follow-up condensation: the latest question rewritten into a standalone one before retrieval, so "and
 * what about its price?" searches for the thing discussed. With a model, the model rewrites it. Without
 * one, a lexical fallback helps keyword retrieval: a question that looks like a follow-up gets the content
 * words of the previous question appended (the topic usually lives there), a standalone one is left alone.
 */
export async function condenseQuestion(options: CondenseOptions): Promise<CondensedQuestion> {
  const question = options.question.trim();
  const previousUser = [...options.history].reverse().find((t) => t.role === 'user');
  if (!previousUser) return { standalone: question, method: 'unchanged' };
  if (options.model) {
    const recent = options.history.slice(-2 * (options.historyTurns ?? 3));
    const transcript = recent.map((t) => `${t.role === 'user' ? 'User' : 'Assistant'}: ${t.content.slice(0, 1200)}`).join('\n');
    const result = await options.model.generate({
      messages: [
        { role: 'system', content: PROMPT },
        { role: 'user', content: `Conversation:\n${transcript}\n\nLast question: ${question}\n\nStandalone question:` },
      ],
      temperature: 0,
      maxTokens: 120,
      signal: options.signal,
    });
    // Models sometimes wrap the question in quotes or a label; an empty reply keeps the original.
    const rewritten = result.text
      .trim()
      .replace(/^(standalone question|question|问题)\s*[:：]\s*/i, '')
      .replace(/^["“'「](.*)["”'」]$/su, '$1')
      .trim();
    return { standalone: rewritten || question, method: rewritten && rewritten !== question ? 'model' : 'unchanged' };
  }
  if (!looksLikeFollowUp(question)) return { standalone: question, method: 'unchanged' };
  const topic = previousUser.standalone ?? previousUser.content;
  return { standalone: `${question} ${topic}`, method: 'lexical' };
}
