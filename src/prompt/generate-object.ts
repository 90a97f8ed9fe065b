import type { z } from 'zod';
import { isLoreError, LoreError } from '../spec/errors.js';
import type { ChatMessage, GenerateRequest, LanguageModel, ResponseFormat, Usage } from '../spec/models.js';
import { extractJson } from './extract-json.js';
import { isZodSchema, jsonObjectSchema, zodObjectSchema, type JsonSchema, type ObjectSchema } from './object-schema.js';

/**
 * How the reply was constrained: the provider enforced the schema ('json_schema'), only JSON syntax
 * ('json', schema in the prompt), or nothing ('text', schema in the prompt).
 */
export type StructuredOutputMode = 'json_schema' | 'json' | 'text';

export interface GenerateObjectOptions<S> {
  model: LanguageModel;
  /** A zod 4 schema, or a JSON Schema object. */
  schema: S;
  /** The conversation; or `prompt` for a single user message. */
  messages?: ChatMessage[];
  prompt?: string;
  /** Names the output for the provider (OpenAI's json_schema name, Anthropic's tool): letters, digits, "_" and "-". */
  name?: string;
  /** Extra turns that show the model its invalid output and what was wrong with it (default 2). */
  maxRepairs?: number;
  maxTokens?: number;
  temperature?: number;
  signal?: AbortSignal;
}

export interface GenerateObjectResult<T> {
  value: T;
  /** The reply the value was read from, as the model wrote it. */
  raw: string;
  /** Replies read: 1 when the first one was valid. Requests a provider refused for their format do not count. */
  attempts: number;
  /** Summed over every reply. */
  usage: Usage;
  mode: StructuredOutputMode;
}

const NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** A repair turn quotes the invalid reply; past this much, the model needs the errors more than its whole reply. */
const MAX_QUOTED_REPLY = 8000;

function schemaBlock(schema: JsonSchema): string {
  return `\`\`\`json\n${JSON.stringify(schema, null, 2)}\n\`\`\``;
}

/** Added to the last user turn, not as a system message: several chat templates reject a system message anywhere but first. */
function withInstruction(messages: ChatMessage[], instruction: string): ChatMessage[] {
  const last = messages.at(-1);
  if (last?.role === 'user') return [...messages.slice(0, -1), { ...last, content: `${last.content}\n\n${instruction}` }];
  return [...messages, { role: 'user', content: instruction }];
}

function formatFor(mode: StructuredOutputMode, schema: JsonSchema, name: string | undefined): ResponseFormat | undefined {
  if (mode === 'json_schema') return { type: 'json_schema', schema, ...(name ? { name } : {}) };
  if (mode === 'json') return { type: 'json' };
  return undefined;
}

/**
 * A provider saying it does not do this response format — an older server's 400, or any error naming
 * response_format — as opposed to a failure that would hit a plain request too.
 */
export function rejectsResponseFormat(error: unknown): boolean {
  if (!isLoreError(error) || error.retryable) return false;
  const mentionsFormat = /response[_ ]?format|json[_ ]schema|json_object|structured output|grammar/i.test(error.message);
  if (error.code === 'PROVIDER_ERROR') return mentionsFormat || /answered (400|422)\b/.test(error.message);
  return (error.code === 'INVALID_ARGUMENT' || error.code === 'UNSUPPORTED_FORMAT') && mentionsFormat;
}

type Check<T> = { ok: true; value: T } | { ok: false; errors: string[] };

function checkReply<T>(text: string, schema: ObjectSchema<T>): Check<T> {
  const json = extractJson(text);
  if (!json.ok) return { ok: false, errors: [json.error] };
  return schema.validate(json.value);
}

export function generateObject<S extends z.ZodType>(options: GenerateObjectOptions<S>): Promise<GenerateObjectResult<z.output<S>>>;
export function generateObject<T = unknown>(options: GenerateObjectOptions<JsonSchema>): Promise<GenerateObjectResult<T>>;
/**
 * A typed value from a language model. Asks for the schema as the response format (OpenAI's json_schema,
 * a grammar for GGUF models, a forced tool for Anthropic), reads the JSON out of the reply even when it
 * comes fenced or wrapped in prose, and validates it. An invalid reply gets up to `maxRepairs` repair turns
 * showing the model its output and the validation errors. A provider that refuses json_schema is asked
 * again in JSON mode with the schema in the prompt, and one that refuses that too, in plain text.
 * Throws PARSE_ERROR, listing the last validation errors, when no reply was valid.
 */
export async function generateObject(options: GenerateObjectOptions<z.ZodType | JsonSchema>): Promise<GenerateObjectResult<unknown>> {
  const { model, signal } = options;
  const maxRepairs = options.maxRepairs ?? 2;
  if (!Number.isInteger(maxRepairs) || maxRepairs < 0) {
    throw new LoreError({ code: 'INVALID_ARGUMENT', message: `maxRepairs must be a whole number of 0 or more, not ${maxRepairs}` });
  }
  if ((options.messages === undefined) === (options.prompt === undefined)) {
    throw new LoreError({ code: 'INVALID_ARGUMENT', message: 'generateObject needs exactly one of `messages` and `prompt`' });
  }
  if (options.name !== undefined && !NAME.test(options.name)) {
    throw new LoreError({ code: 'INVALID_ARGUMENT', message: `Output name "${options.name}" is not allowed`, hint: 'use 1–64 letters, digits, "_" or "-"' });
  }
  const schema = resolveSchema(options.schema);
  const base: ChatMessage[] = options.messages ?? [{ role: 'user', content: options.prompt! }];
  if (base.length === 0) throw new LoreError({ code: 'INVALID_ARGUMENT', message: 'generateObject needs at least one message' });

  const usage: Usage = { inputTokens: 0, outputTokens: 0 };
  let mode: StructuredOutputMode = 'json_schema';
  let attempts = 0;
  let previous: { raw: string; errors: string[] } | undefined;

  for (;;) {
    if (signal?.aborted) throw new LoreError({ code: 'ABORTED', message: 'The request was cancelled', cause: signal.reason });
    const request: GenerateRequest = {
      messages: messagesFor({ base, mode, schema: schema.jsonSchema, previous }),
      responseFormat: formatFor(mode, schema.jsonSchema, options.name),
      maxTokens: options.maxTokens,
      temperature: options.temperature,
      signal,
    };
    let reply;
    try {
      reply = await model.generate(request);
    } catch (error) {
      // Each step down happens at most once, so a provider refusing everything costs three requests.
      if (mode !== 'text' && rejectsResponseFormat(error)) {
        mode = mode === 'json_schema' ? 'json' : 'text';
        continue;
      }
      throw error;
    }
    attempts++;
    usage.inputTokens += reply.usage?.inputTokens ?? 0;
    usage.outputTokens += reply.usage?.outputTokens ?? 0;

    const check = checkReply(reply.text, schema);
    if (check.ok) return { value: check.value, raw: reply.text, attempts, usage, mode };
    const errors = reply.finishReason === 'length' ? ['the reply was cut off at the token limit (raise maxTokens)', ...check.errors] : check.errors;
    previous = { raw: reply.text, errors };
    if (attempts > maxRepairs) {
      const excerpt = reply.text.length > 200 ? `${reply.text.slice(0, 200)}…` : reply.text;
      throw new LoreError({
        code: 'PARSE_ERROR',
        message: `${model.id} gave no output matching the schema in ${attempts} ${attempts === 1 ? 'reply' : 'replies'}. Last errors: ${errors.join('; ')}. Last reply: ${JSON.stringify(excerpt)}`,
        hint: 'raise maxRepairs or maxTokens, simplify the schema, or use a stronger model',
        subject: model.id,
      });
    }
  }
}

function resolveSchema(schema: unknown): ObjectSchema<unknown> {
  if (isZodSchema(schema)) return zodObjectSchema(schema);
  if (typeof schema === 'object' && schema !== null && typeof (schema as { safeParse?: unknown }).safeParse === 'function') {
    throw new LoreError({ code: 'INVALID_ARGUMENT', message: 'This looks like a zod 3 schema, which cannot be converted to JSON Schema', hint: 'use zod 4 or pass a JSON Schema object' });
  }
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw new LoreError({ code: 'INVALID_ARGUMENT', message: 'schema must be a zod schema or a JSON Schema object' });
  }
  return jsonObjectSchema(schema as JsonSchema);
}

function messagesFor(o: { base: ChatMessage[]; mode: StructuredOutputMode; schema: JsonSchema; previous?: { raw: string; errors: string[] } }): ChatMessage[] {
  // With json_schema the provider holds the model to the schema, so the prompt need not spell it out.
  // Otherwise it must — and OpenAI's JSON mode also refuses a conversation that never says "JSON".
  const messages =
    o.mode === 'json_schema'
      ? o.base
      : withInstruction(
          o.base,
          `Reply with only a JSON value that conforms to this JSON Schema — no explanation, no other text:\n${schemaBlock(o.schema)}`,
        );
  if (!o.previous) return messages;
  const quoted = o.previous.raw.length > MAX_QUOTED_REPLY ? `${o.previous.raw.slice(0, MAX_QUOTED_REPLY)}…` : o.previous.raw;
  return [
    ...messages,
    { role: 'assistant', content: quoted },
    {
      role: 'user',
      content: [
        'That reply is not valid:',
        ...o.previous.errors.map((e) => `- ${e}`),
        '',
        `Reply with only the corrected JSON, conforming to this JSON Schema:\n${schemaBlock(o.schema)}`,
      ].join('\n'),
    },
  ];
}
