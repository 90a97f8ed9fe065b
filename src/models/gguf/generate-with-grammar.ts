import { type ChatHistoryItem, type ChatWrapper, type LlamaContextSequence, type LlamaGrammar, LlamaGrammarEvaluationState, type Token } from 'node-llama-cpp';
import { LoreError } from '../../spec/errors.js';
import type { Utf8Guard } from './utf8-guard.js';

export interface GrammarRun {
  sequence: LlamaContextSequence;
  chatWrapper: ChatWrapper;
  history: ChatHistoryItem[];
  grammar: LlamaGrammar;
  guard?: Utf8Guard;
  maxTokens?: number;
  temperature?: number;
  seed?: number;
  stop?: readonly string[];
  signal: AbortSignal;
  /** Keep the evaluated prefix the prompt shares with what the sequence holds (default true). */
  reuseKvCache: boolean;
  onText(delta: string): void;
}

export interface GrammarResult {
  text: string;
  finish: 'stop' | 'length';
  promptTokens: number;
  /** Prompt tokens found already evaluated in the sequence. */
  reusedTokens: number;
  outputTokens: number;
}

/** Text that must not be streamed yet: an incomplete character, or what may turn out to be a stop trigger. */
function heldBack(text: string, triggers: readonly string[]): number {
  let hold = 0;
  for (const trigger of triggers) {
    for (let n = Math.min(trigger.length - 1, text.length); n > hold; n--) {
      if (text.endsWith(trigger.slice(0, n))) {
        hold = n;
        break;
      }
    }
  }
  const trimmed = text.replace(/[\s\uFFFD]+$/u, '');
  return Math.max(hold, text.length - trimmed.length);
}

/**
 * Generates one grammar-constrained answer by driving the context sequence token by token, rather than
 * through LlamaChat: the UTF-8 guard has to see each token before the next one is sampled, and LlamaChat
 * reports tokens only after its own buffering. The prompt is rendered by the same chat wrapper LlamaChat
 * uses, and the evaluated prefix it shares with the sequence is kept, so both paths share the KV cache.
 */
export async function generateWithGrammar(run: GrammarRun): Promise<GrammarResult> {
  const { sequence, grammar } = run;
  const model = sequence.model;
  const prompt = run.chatWrapper.generateContextState({ chatHistory: run.history }).contextText.tokenize(model.tokenizer);
  const room = sequence.contextSize - prompt.length - 1;
  if (room < 1) {
    throw new LoreError({
      code: 'INVALID_ARGUMENT',
      message: `The prompt is ${prompt.length} tokens; the model's context holds ${sequence.contextSize}`,
      hint: 'shorten the conversation or the retrieved context, or give the model a larger contextSize',
    });
  }
  const maxTokens = Math.min(run.maxTokens ?? room, room);

  let keep = 0;
  if (!run.reuseKvCache) await sequence.clearHistory();
  else {
    // At least the last prompt token is evaluated again: its logits give the first answer token.
    keep = Math.min(sequence.compareContextTokens(prompt).firstDifferentIndex, prompt.length - 1);
    if (keep < sequence.nextTokenIndex) await sequence.eraseContextTokenRanges([{ start: keep, end: sequence.nextTokenIndex }]);
  }

  const triggers = [
    ...grammar.stopGenerationTriggers.map((t) => (typeof t === 'string' ? t : Array.isArray(t) ? t.filter((x): x is string => typeof x === 'string').join('') : String(t))),
    ...(run.stop ?? []),
  ].filter((t) => t.length > 0);
  const grammarEvaluationState = new LlamaGrammarEvaluationState({ model, grammar });
  const guard = run.guard;
  guard?.reset();

  const generated: Token[] = [];
  let text = '';
  let streamed = 0;
  let finish: 'stop' | 'length' = 'stop';
  const iterator = sequence.evaluate(prompt.slice(keep), {
    temperature: run.temperature,
    seed: run.seed,
    grammarEvaluationState,
    tokenBias: guard ? () => guard.bias() : undefined,
  });
  try {
    for await (const token of iterator) {
      if (run.signal.aborted) break;
      guard?.push(token);
      generated.push(token);
      text = model.detokenize(generated);
      const cut = triggers.reduce((at, t) => {
        const i = text.indexOf(t);
        return i >= 0 && i < at ? i : at;
      }, Infinity);
      if (cut !== Infinity) {
        text = text.slice(0, cut);
        break;
      }
      const safe = text.length - heldBack(text, triggers);
      if (safe > streamed) {
        run.onText(text.slice(streamed, safe));
        streamed = safe;
      }
      if (generated.length >= maxTokens) {
        finish = 'length';
        break;
      }
    }
  } finally {
    // Stops the sequence generating before the next request (or close) touches it.
    await iterator.return();
  }
  if (run.signal.aborted) throw run.signal.reason;
  if (grammar.trimWhitespaceSuffix || finish === 'stop') text = text.trimEnd();
  if (text.length > streamed) run.onText(text.slice(streamed));
  return { text, finish, promptTokens: prompt.length, reusedTokens: keep, outputTokens: generated.length };
}
