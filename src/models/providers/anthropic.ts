import { LoreError } from '../../spec/errors.js';
import type { ChatMessage, FinishReason, GenerateEvent, GenerateRequest, LanguageModel } from '../../spec/models.js';
import { collectStream } from './openai-compatible.js';
import { postForStream, streamFailure } from './post-stream.js';
import { readSse } from './sse.js';

export interface AnthropicOptions {
  model: string;
  apiKey: string;
  /** Default https://api.anthropic.com/v1 */
  baseUrl?: string;
  /** Milliseconds to wait for the response headers (default 60 000). */
  timeoutMs?: number;
}

interface AnthropicEvent {
  type: string;
  index?: number;
  message?: { usage?: { input_tokens?: number; output_tokens?: number } };
  content_block?: { type: string; id?: string; name?: string; text?: string };
  delta?: { type?: string; text?: string; partial_json?: string; stop_reason?: string | null };
  usage?: { input_tokens?: number; output_tokens?: number };
  error?: { type?: string; message?: string };
}

/** Anthropic keeps the system prompt apart and wants tool results as user turns with tool_result blocks. */
function toWire(messages: ChatMessage[]): { system?: string; messages: Array<Record<string, unknown>> } {
  const system = messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n\n') || undefined;
  const out: Array<Record<string, unknown>> = [];
  for (const m of messages) {
    if (m.role === 'system') continue;
    if (m.role === 'tool') out.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: m.toolCallId, content: m.content }] });
    else if (m.role === 'assistant' && m.toolCalls?.length) {
      out.push({
        role: 'assistant',
        content: [
          ...(m.content ? [{ type: 'text', text: m.content }] : []),
          ...m.toolCalls.map((c) => ({ type: 'tool_use', id: c.id, name: c.name, input: JSON.parse(c.arguments || '{}') as unknown })),
        ],
      });
    } else out.push({ role: m.role, content: m.content });
  }
  return { system, messages: out };
}

function stopReason(reason: string | null | undefined): FinishReason {
  if (reason === 'end_turn' || reason === 'stop_sequence') return 'stop';
  if (reason === 'max_tokens') return 'length';
  if (reason === 'tool_use') return 'tool_calls';
  return 'other';
}

/** Anthropic's messages API with streaming and tools. */
export function createAnthropicModel(options: AnthropicOptions): LanguageModel {
  const url = `${(options.baseUrl ?? 'https://api.anthropic.com/v1').replace(/\/+$/, '')}/messages`;

  async function* stream(request: GenerateRequest): AsyncGenerator<GenerateEvent> {
    const wire = toWire(request.messages);
    const body: Record<string, unknown> = { model: options.model, max_tokens: request.maxTokens ?? 1024, stream: true, messages: wire.messages };
    if (wire.system) body['system'] = wire.system;
    if (request.temperature !== undefined) body['temperature'] = request.temperature;
    if (request.stop?.length) body['stop_sequences'] = request.stop;
    if (request.tools?.length) body['tools'] = request.tools.map((t) => ({ name: t.name, description: t.description, input_schema: t.parameters }));

    const stream = await postForStream({
      url,
      headers: { 'x-api-key': options.apiKey, 'anthropic-version': '2023-06-01' },
      body,
      signal: request.signal,
      timeoutMs: options.timeoutMs ?? 60_000,
    });

    const tools = new Map<number, { id: string; name: string; arguments: string }>();
    let inputTokens = 0;
    let outputTokens = 0;
    let finish: FinishReason | undefined;
    let stopped = false;
    try {
      for await (const data of readSse(stream, request.signal)) {
        let event: AnthropicEvent;
        try {
          event = JSON.parse(data) as AnthropicEvent;
        } catch (cause) {
          throw new LoreError({ code: 'PROVIDER_ERROR', message: `${url} sent a malformed stream event: ${data.slice(0, 80)}`, retryable: true, cause });
        }
        switch (event.type) {
          case 'message_start':
            inputTokens = event.message?.usage?.input_tokens ?? 0;
            outputTokens = event.message?.usage?.output_tokens ?? 0;
            break;
          case 'content_block_start':
            if (event.content_block?.type === 'tool_use') {
              tools.set(event.index ?? 0, { id: event.content_block.id ?? '', name: event.content_block.name ?? '', arguments: '' });
              yield { type: 'tool_call_delta', index: event.index ?? 0, id: event.content_block.id, name: event.content_block.name, argumentsDelta: '' };
            }
            break;
          case 'content_block_delta':
            if (event.delta?.type === 'text_delta' && event.delta.text) yield { type: 'text', delta: event.delta.text };
            if (event.delta?.type === 'input_json_delta') {
              const tool = tools.get(event.index ?? 0);
              if (tool) tool.arguments += event.delta.partial_json ?? '';
              yield { type: 'tool_call_delta', index: event.index ?? 0, argumentsDelta: event.delta.partial_json ?? '' };
            }
            break;
          case 'message_delta':
            if (event.delta?.stop_reason) finish = stopReason(event.delta.stop_reason);
            if (event.usage?.output_tokens !== undefined) outputTokens = event.usage.output_tokens;
            break;
          case 'message_stop':
            stopped = true;
            break;
          case 'error':
            throw new LoreError({ code: 'PROVIDER_ERROR', message: `${url}: ${event.error?.message ?? 'error in stream'}`, retryable: event.error?.type === 'overloaded_error' });
        }
      }
    } catch (cause) {
      throw streamFailure(url, cause, request.signal);
    }
    if (!stopped) throw new LoreError({ code: 'PROVIDER_ERROR', message: `${url} closed the stream before the answer finished`, retryable: true });
    for (const [, tool] of [...tools].sort((a, b) => a[0] - b[0])) yield { type: 'tool_call', call: { id: tool.id, name: tool.name, arguments: tool.arguments || '{}' } };
    yield { type: 'usage', usage: { inputTokens, outputTokens } };
    yield { type: 'finish', reason: finish ?? 'other' };
  }

  return {
    id: `anthropic:${options.model}`,
    stream,
    generate: (request) => collectStream(stream(request), options.model),
  };
}
