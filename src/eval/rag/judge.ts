import { z } from 'zod';
import { generateObject } from '../../prompt/generate-object.js';
import { isLoreError } from '../../spec/errors.js';
import type { ChatMessage, LanguageModel } from '../../spec/models.js';

/**
 * A judge model and what its calls cost. Every call asks for a JSON Schema response (a grammar on GGUF
 * models, json_schema on OpenAI-compatible servers), validated, with repair turns; a call that still
 * fails — the provider errors, the reply never matches the schema — comes back as `{ ok: false }` with the
 * reason, never as an exception (except cancellation), so one bad reply costs one metric of one item.
 */
export interface Judge {
  model: LanguageModel;
  /** Tokens per reply; default: enough for the schema (see each call). */
  maxTokens?: number;
  /** Repair turns after an invalid reply (default 1). */
  maxRepairs?: number;
  signal?: AbortSignal;
  stats: JudgeStats;
}

export interface JudgeStats {
  calls: number;
  failures: number;
  inputTokens: number;
  outputTokens: number;
}

export function createJudge(options: { model: LanguageModel; maxTokens?: number; maxRepairs?: number; signal?: AbortSignal }): Judge {
  return { ...options, stats: { calls: 0, failures: 0, inputTokens: 0, outputTokens: 0 } };
}

export type JudgeReply<T> = { ok: true; value: T } | { ok: false; reason: string };

const VERDICT = z.enum(['yes', 'no']);

export const claimsSchema = z.object({ statements: z.array(z.string().min(1).max(300)).max(12) });
export const relevanceSchema = z.object({ rating: z.enum(['full', 'partial', 'none']) });
export const verdictsSchema = (n: number) => z.object({ verdicts: z.array(VERDICT).length(n) });
export const correctnessSchema = (answer: number, reference: number) =>
  z.object({ answer_statements: z.array(VERDICT).length(answer), reference_statements: z.array(VERDICT).length(reference) });

/** Tokens a reply of n verdicts needs, with room for white space. */
export const verdictTokens = (n: number) => 40 + 8 * n;

const MAX_REASON = 300;

export async function askJudge<S extends z.ZodType>(judge: Judge, o: { schema: S; messages: ChatMessage[]; name: string; maxTokens: number }): Promise<JudgeReply<z.output<S>>> {
  judge.stats.calls++;
  try {
    const result = await generateObject({
      model: judge.model,
      schema: o.schema,
      messages: o.messages,
      name: o.name,
      maxTokens: judge.maxTokens ?? o.maxTokens,
      maxRepairs: judge.maxRepairs ?? 1,
      temperature: 0,
      signal: judge.signal,
    });
    judge.stats.inputTokens += result.usage.inputTokens;
    judge.stats.outputTokens += result.usage.outputTokens;
    return { ok: true, value: result.value as z.output<S> };
  } catch (error) {
    if (judge.signal?.aborted || (isLoreError(error) && error.code === 'ABORTED')) throw error;
    judge.stats.failures++;
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: `judge ${judge.model.id} failed: ${message.length > MAX_REASON ? `${message.slice(0, MAX_REASON)}…` : message}` };
  }
}
