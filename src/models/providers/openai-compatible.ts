import { LoreError } from '../../spec/errors.js';
import type { ChatMessage, FinishReason, GenerateEvent, GenerateRequest, GenerateResult, LanguageModel, ToolCall } from '../../spec/models.js';
import { postForStream, streamFailure } from './post-stream.js';
import { readSse } from './sse.js';

// Re-exported: callers and tests have imported it from here.
export { parseRetryAfter } from './post-stream.js';

export interface OpenAICompatibleOptions {
  /** e.g. https://api.openai.com/v1, http://localhost:11434/v1 (Ollama), http://localhost:8000/v1 (vLLM). */
  baseUrl: string;
  model: string;
  apiKey?: string;
  headers?: Record<string, string>;
  /** Milliseconds to wait for the response headers (default 60 000); the stream itself may run longer. */
  timeoutMs?: number;
}

interface ChunkChoice {
  delta?: { content?: string | null; tool_calls?: Array<{ index: number; id?: string; function?: { name?: string; arguments?: string } }> };
  finish_reason?: string | null;
}

interface Chunk {
  model?: string;
  choices?: ChunkChoice[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  error?: { message?: string };
}

function toWireMessage(m: ChatMessage): Record<string, unknown> {
  if (m.role === 'tool') return { role: 'tool', tool_call_id: m.toolCallId, content: m.content };
  if (m.role === 'assistant' && m.toolCalls?.length) {
    return {
      role: 'assistant',
      content: m.content || null,
      tool_calls: m.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })),
    };
  }
  return { role: m.role, content: m.content };
}

function finishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'stop':
    case 'length':
    case 'tool_calls':
    case 'content_filter':
      return reason;
    case 'function_call':
      return 'tool_calls';
    default:
      return 'other';
  }
}

/**
 * Chat completions over the OpenAI protocol, which OpenAI, Ollama, vLLM, LM Studio, llama.cpp's server and
 * OpenRouter all speak. Always streams (so `generate` and `stream` share one code path) and reassembles
 * tool calls from their deltas by index — arguments arrive in fragments, and the id and name only in the
 * first one, which is where many clients lose them.
 */
export function createOpenAICompatibleModel(options: OpenAICompatibleOptions): LanguageModel {
  const url = `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  const id = `openai-compatible:${options.baseUrl}#${options.model}`;

  async function* stream(request: GenerateRequest): AsyncGenerator<GenerateEvent> {
    const body: Record<string, unknown> = {
      model: options.model,
      messages: request.messages.map(toWireMessage),
      stream: true,
      stream_options: { include_usage: true },
    };
    if (request.maxTokens !== undefined) body['max_tokens'] = request.maxTokens;
    if (request.temperature !== undefined) body['temperature'] = request.temperature;
    if (request.stop?.length) body['stop'] = request.stop;
    if (request.tools?.length) {
      body['tools'] = request.tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } }));
      if (request.toolChoice) body['tool_choice'] = request.toolChoice;
    }
    const format = request.responseFormat;
    if (format?.type === 'json') body['response_format'] = { type: 'json_object' };
    if (format?.type === 'json_schema') {
      body['response_format'] = { type: 'json_schema', json_schema: { name: format.name ?? 'output', schema: format.schema, strict: fitsStrictMode(format.schema) } };
    }

    const stream = await postForStream({
      url,
      headers: { ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}), ...options.headers },
      body,
      signal: request.signal,
      timeoutMs: options.timeoutMs ?? 60_000,
    });

    const calls = new Map<number, { id: string; name: string; arguments: string }>();
    let finished: FinishReason | undefined;
    try {
      for await (const data of readSse(stream, request.signal)) {
        if (data === '[DONE]') break;
        let chunk: Chunk;
        try {
          chunk = JSON.parse(data) as Chunk;
        } catch (cause) {
          throw new LoreError({ code: 'PROVIDER_ERROR', message: `${url} sent a malformed stream event: ${data.slice(0, 80)}`, retryable: true, cause });
        }
        if (chunk.error) throw new LoreError({ code: 'PROVIDER_ERROR', message: `${url}: ${chunk.error.message ?? 'error in stream'}`, retryable: true });
        for (const choice of chunk.choices ?? []) {
          const delta = choice.delta;
          if (delta?.content) yield { type: 'text', delta: delta.content };
          for (const part of delta?.tool_calls ?? []) {
            const call = calls.get(part.index) ?? { id: '', name: '', arguments: '' };
            if (part.id) call.id = part.id;
            if (part.function?.name) call.name += part.function.name;
            if (part.function?.arguments) call.arguments += part.function.arguments;
            calls.set(part.index, call);
            yield { type: 'tool_call_delta', index: part.index, id: part.id, name: part.function?.name, argumentsDelta: part.function?.arguments ?? '' };
          }
          if (choice.finish_reason) finished = finishReason(choice.finish_reason);
        }
        if (chunk.usage) yield { type: 'usage', usage: { inputTokens: chunk.usage.prompt_tokens ?? 0, outputTokens: chunk.usage.completion_tokens ?? 0 } };
      }
    } catch (cause) {
      throw streamFailure(url, cause, request.signal);
    }
    if (!finished) {
      throw new LoreError({ code: 'PROVIDER_ERROR', message: `${url} closed the stream before the answer finished`, retryable: true });
    }
    for (const [index, call] of [...calls].sort((a, b) => a[0] - b[0])) {
      yield { type: 'tool_call', call: { id: call.id || `call_${index}`, name: call.name, arguments: call.arguments } };
    }
    yield { type: 'finish', reason: finished };
  }

  return {
    id,
    stream,
    async generate(request) {
      return collectStream(stream(request), options.model);
    },
  };
}

/** Folds a stream of events into one result. */
export async function collectStream(events: AsyncIterable<GenerateEvent>, model: string): Promise<GenerateResult> {
  let text = '';
  const toolCalls: ToolCall[] = [];
  const result: GenerateResult = { text: '', toolCalls, finishReason: 'other', model };
  for await (const event of events) {
    if (event.type === 'text') text += event.delta;
    else if (event.type === 'tool_call') toolCalls.push(event.call);
    else if (event.type === 'usage') result.usage = event.usage;
    else if (event.type === 'finish') result.finishReason = event.reason;
  }
  result.text = text;
  return result;
}

/**
 * OpenAI's strict structured outputs accept only schemas whose every object lists all its properties as
 * required and forbids others; a schema with optional fields sent as strict is refused (400). Such schemas
 * go unstrict: the server still follows the schema as best it can, and generateObject validates the result.
 */
export function fitsStrictMode(schema: unknown): boolean {
  if (Array.isArray(schema)) return schema.every(fitsStrictMode);
  if (!schema || typeof schema !== 'object') return true;
  const node = schema as Record<string, unknown>;
  if (node['type'] === 'object' || node['properties']) {
    const keys = Object.keys((node['properties'] as Record<string, unknown> | undefined) ?? {});
    const required = new Set((node['required'] as string[] | undefined) ?? []);
    if (node['additionalProperties'] !== false || keys.some((k) => !required.has(k))) return false;
  }
  return Object.entries(node).every(([key, value]) => key === 'required' || key === 'enum' || key === 'const' || fitsStrictMode(value));
}
