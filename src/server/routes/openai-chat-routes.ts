import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { Answer, ChatMessage, FinishReason, GenerateRequest, ToolCall } from '../../index.js';
import { condenseQuestion, type CondensedQuestion } from '../../rag/memory/condense-question.js';
import { withSpan } from '../../trace/with-span.js';
import { answerQuestion } from '../answer-question.js';
import { badRequest, notFound, openaiErrorType, toHttpError } from '../http-error.js';
import { canSee, type Principal } from '../principal.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { ChatCompletion, ChatCompletionBody, ChatCompletionChunk, ChatMessageIn, OpenAIError } from '../schemas/openai-schemas.js';
import type { ServerContext } from '../server-context.js';

type Body = z.output<typeof ChatCompletionBody>;
type MessageIn = z.output<typeof ChatMessageIn>;

/** Models named `lore/<collection>` answer from that collection. */
export const LORE_MODEL_PREFIX = 'lore/';

function textOf(content: MessageIn['content']): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => (part.type === 'text' && typeof part['text'] === 'string' ? part['text'] : '')).join('');
}

function toChatMessages(messages: MessageIn[]): ChatMessage[] {
  return messages.map((m) => ({
    role: m.role === 'developer' ? 'system' : m.role,
    content: textOf(m.content),
    ...(m.tool_calls ? { toolCalls: m.tool_calls.map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments })) } : {}),
    ...(m.tool_call_id ? { toolCallId: m.tool_call_id } : {}),
  }));
}

function finishReason(reason: FinishReason | undefined): 'stop' | 'length' | 'tool_calls' | 'content_filter' {
  return reason === 'length' || reason === 'tool_calls' || reason === 'content_filter' ? reason : 'stop';
}

function toRequest(body: Body, signal: AbortSignal): GenerateRequest {
  const format = body.response_format;
  return {
    messages: toChatMessages(body.messages),
    tools: body.tools?.map((t) => ({ name: t.function.name, description: t.function.description, parameters: t.function.parameters ?? { type: 'object', properties: {} } })),
    responseFormat:
      format?.type === 'json_object'
        ? { type: 'json' }
        : format?.type === 'json_schema'
          ? { type: 'json_schema', name: format.json_schema.name, schema: format.json_schema.schema ?? {} }
          : undefined,
    maxTokens: body.max_completion_tokens ?? body.max_tokens ?? undefined,
    temperature: body.temperature ?? undefined,
    stop: typeof body.stop === 'string' ? [body.stop] : (body.stop ?? undefined),
    signal,
  };
}

const usageOf = (u: { inputTokens: number; outputTokens: number } | undefined) => ({
  prompt_tokens: u?.inputTokens ?? 0,
  completion_tokens: u?.outputTokens ?? 0,
  total_tokens: (u?.inputTokens ?? 0) + (u?.outputTokens ?? 0),
});

/** An SSE stream exactly as OpenAI's clients read it: `data: <chunk>` lines, then `data: [DONE]`. */
function openaiStream(res: ServerResponse, base: { id: string; created: number; model: string }) {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', 'x-accel-buffering': 'no' });
  res.flushHeaders();
  const write = (payload: unknown) => {
    if (!res.writableEnded && !res.destroyed) res.write(`data: ${JSON.stringify(payload)}\n\n`);
  };
  return {
    chunk(delta: Record<string, unknown>, finish: string | null = null) {
      write({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] });
    },
    usage(usage: ReturnType<typeof usageOf>) {
      write({ ...base, object: 'chat.completion.chunk', choices: [], usage });
    },
    done() {
      if (!res.writableEnded) res.end('data: [DONE]\n\n');
    },
    /** OpenAI's clients raise an `error` payload in the stream as an APIError. */
    fail(error: unknown) {
      const e = toHttpError(error);
      write({ error: { message: e.message, type: openaiErrorType(e.status), code: e.openaiCode ?? null, param: null } });
      if (!res.writableEnded) res.end();
    },
  };
}

/**
 * The question retrieval uses: a follow-up condensed with the earlier turns into one that stands alone, by the
 * rule the sessions API follows (the answer model rewrites it; without one, the lexical fallback).
 */
function condenseConversation(o: { app: ServerContext; question: string; history: ChatMessage[]; signal: AbortSignal }): Promise<CondensedQuestion> {
  const history = o.history.flatMap((m) => (m.role === 'user' || m.role === 'assistant' ? [{ role: m.role, content: m.content }] : []));
  return withSpan('rag.condense', { 'lore.history_turns': history.length }, () =>
    condenseQuestion({ question: o.question, history, model: o.app.models.answerModel?.model, signal: o.signal }),
  );
}

/** The collection of a `lore/<collection>` model, if the caller may see it and it exists; else 404 as OpenAI words it. */
async function loreCollection(app: ServerContext, principal: Principal, model: string): Promise<string> {
  const collection = model.slice(LORE_MODEL_PREFIX.length);
  if (!canSee(principal, collection) || !(await app.store.getCollection(collection))) {
    throw notFound(`The model \`${model}\` does not exist or you do not have access to it.`, 'model_not_found');
  }
  return collection;
}

export const openaiChatRoutes: RouteSpec[] = [
  defineRoute({
    method: 'POST',
    path: '/v1/chat/completions',
    operationId: 'createChatCompletion',
    summary: 'OpenAI-compatible chat completions: lore/<collection> answers from that collection, with citations',
    description: [
      '`model: "lore/<collection>"` retrieves from the collection for the last user message and answers with [n] references in the text.',
      'When earlier user/assistant messages precede it, the last message is first condensed with them into a question that stands alone',
      '(rewritten by the server\'s answer model; without one, a follow-up gets the previous question\'s words added), as the sessions API does,',
      'and the earlier messages go to the answer model as history. The passages the references point to are in the extension field `lore_citations`,',
      'and what retrieval searched for in `lore_query` (`{ query, condensed: "unchanged" | "model" | "lexical" }`): on `choices[0].message` (non-streamed) and on',
      "the streamed chunk that carries `finish_reason` (`choices[0].delta`, which OpenAI's stream helpers merge into the message).",
      'Without a configured model the answer is extractive (quoted sentences). Any other model name must be one the server was started with,',
      'and the request passes through to it (tools and response_format included). Streaming follows OpenAI: `data:` chunks, then `data: [DONE]`;',
      '`stream_options.include_usage` adds a usage chunk. Extension: `lore: { k, mode }` sets retrieval depth and mode.',
    ].join(' '),
    tag: 'openai',
    surface: 'openai',
    access: 'key',
    body: ChatCompletionBody,
    responses: {
      200: {
        description: 'A completion, or (stream: true) its chunks as server-sent events',
        schema: ChatCompletion,
        streamSchema: ChatCompletionChunk,
        contentTypes: ['application/json', 'text/event-stream'],
      },
      400: { description: 'Invalid request', schema: OpenAIError },
      401: { description: 'Missing or invalid API key', schema: OpenAIError },
      404: { description: 'No such model', schema: OpenAIError },
      429: { description: 'Rate limited', schema: OpenAIError },
      503: { description: 'Work queue full', schema: OpenAIError },
    },
    async handle({ app, principal, body, res, signal }) {
      const base = { id: `chatcmpl-${randomBytes(12).toString('hex')}`, created: Math.floor(Date.now() / 1000), model: body.model };
      if (body.model.startsWith(LORE_MODEL_PREFIX)) {
        const collection = await loreCollection(app, principal, body.model);
        const last = body.messages.at(-1)!;
        const question = textOf(last.content).trim();
        if (last.role !== 'user' || !question) throw badRequest('The last message must be the user’s question');
        const history = toChatMessages(body.messages.slice(0, -1).filter((m) => m.role === 'user' || m.role === 'assistant'));
        const ask = { app, principal, question, collection, mode: body.lore?.mode ?? 'hybrid', k: body.lore?.k ?? 8, model: app.models.answerModel, history, signal } as const;
        const respond = async (onText?: (delta: string) => void) => {
          const condensed = await condenseConversation({ app, question, history, signal });
          const { answer } = await answerQuestion({ ...ask, query: condensed.standalone, onText });
          return { answer, loreQuery: { query: condensed.standalone, condensed: condensed.method } };
        };
        if (!body.stream) {
          const { answer: result, loreQuery } = await app.queue.run(() => respond(), { signal });
          return { body: completion(base, result, loreQuery) };
        }
        await app.queue.run(async () => {
          const stream = openaiStream(res, base);
          try {
            stream.chunk({ role: 'assistant', content: '' });
            const { answer: result, loreQuery } = await respond((delta) => stream.chunk({ content: delta }));
            stream.chunk({ lore_citations: result.citations, lore_query: loreQuery }, 'stop');
            if (body.stream_options?.include_usage) stream.usage(usageOf(result.usage));
            stream.done();
          } catch (error) {
            stream.fail(error);
          }
        }, { signal });
        return;
      }

      const configured = app.models.find(body.model);
      if (!configured) throw notFound(`The model \`${body.model}\` does not exist or you do not have access to it.`, 'model_not_found');
      const request = toRequest(body, signal);
      if (!body.stream) {
        const result = await app.queue.run(() => configured.model.generate(request), { signal });
        const toolCalls = result.toolCalls.map(toolCallOut);
        return {
          body: {
            ...base,
            object: 'chat.completion',
            choices: [
              {
                index: 0,
                message: { role: 'assistant', content: toolCalls.length > 0 && !result.text ? null : result.text, refusal: null, ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) },
                finish_reason: finishReason(result.finishReason),
                logprobs: null,
              },
            ],
            usage: usageOf(result.usage),
          },
        };
      }
      await app.queue.run(async () => {
        const stream = openaiStream(res, base);
        try {
          stream.chunk({ role: 'assistant', content: '' });
          let usage: { inputTokens: number; outputTokens: number } | undefined;
          let finish: FinishReason | undefined;
          const streamedCalls = new Set<number>();
          let nextIndex = 0;
          for await (const event of configured.model.stream(request)) {
            if (event.type === 'text') stream.chunk({ content: event.delta });
            else if (event.type === 'tool_call_delta') {
              streamedCalls.add(event.index);
              nextIndex = Math.max(nextIndex, event.index + 1);
              stream.chunk({
                tool_calls: [{ index: event.index, ...(event.id ? { id: event.id, type: 'function' } : {}), function: { ...(event.name ? { name: event.name } : {}), arguments: event.argumentsDelta } }],
              });
            } else if (event.type === 'tool_call' && streamedCalls.size === 0) {
              // A provider that gives whole calls only: each goes out as one delta.
              stream.chunk({ tool_calls: [{ index: nextIndex++, ...toolCallOut(event.call) }] });
            } else if (event.type === 'usage') usage = event.usage;
            else if (event.type === 'finish') finish = event.reason;
          }
          stream.chunk({}, finishReason(finish));
          if (body.stream_options?.include_usage) stream.usage(usageOf(usage));
          stream.done();
        } catch (error) {
          stream.fail(error);
        }
      }, { signal });
    },
  }),
];

function toolCallOut(call: ToolCall) {
  return { id: call.id, type: 'function' as const, function: { name: call.name, arguments: call.arguments } };
}

/** What retrieval searched for, reported beside the citations: the question itself, or the follow-up condensed. */
type LoreQuery = { query: string; condensed: CondensedQuestion['method'] };

function completion(base: { id: string; created: number; model: string }, answer: Answer, loreQuery: LoreQuery): Record<string, unknown> {
  return {
    ...base,
    object: 'chat.completion',
    choices: [
      { index: 0, message: { role: 'assistant', content: answer.text, refusal: null, lore_citations: answer.citations, lore_query: loreQuery }, finish_reason: 'stop', logprobs: null },
    ],
    usage: usageOf(answer.usage),
  };
}
