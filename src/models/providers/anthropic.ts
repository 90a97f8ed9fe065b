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

/** Anthropic has no JSON mode: without a schema to force, an instruction is what there is. */
const JSON_MODE_INSTRUCTION = 'Respond with only a single valid JSON object: no explanation, no markdown, no code fences.';
const WRAPPED_KEY = 'value';

interface ForcedTool {
  name: string;
  wrapped: boolean;
  input_schema: Record<string, unknown>;
}

/**
 * Anthropic has no response_format either. A JSON Schema becomes a tool the model is forced to call, whose
 * input then is the answer (the documented way to get schema-shaped JSON from Claude). A tool's input must
 * be an object, so any other schema is wrapped in `{ value }` and unwrapped on the way out.
 */
function forcedTool(format: GenerateRequest['responseFormat']): ForcedTool | undefined {
  if (format?.type !== 'json_schema') return undefined;
  const { $schema: _meta, ...schema } = format.schema;
  const wrapped = schema['type'] !== 'object';
  return {
    name: format.name ?? 'output',
    wrapped,
    input_schema: wrapped ? { type: 'object', properties: { [WRAPPED_KEY]: schema }, required: [WRAPPED_KEY], additionalProperties: false } : schema,
  };
}

function stopReason(reason: string | null | undefined): FinishReason {
  if (reason === 'end_turn' || reason === 'stop_sequence') return 'stop';
  if (reason === 'max_tokens') return 'length';
  if (reason === 'tool_use') return 'tool_calls';
  return 'other';
}

/** The forced tool's input without the `{ value }` wrapper; as received when it does not parse, for the caller to report. */
function unwrap(input: string): string {
  try {
    const parsed = JSON.parse(input || '{}') as Record<string, unknown>;
    return WRAPPED_KEY in parsed ? JSON.stringify(parsed[WRAPPED_KEY]) : input;
  } catch {
    return input;
  }
}

/** Anthropic's messages API with streaming and tools; `responseFormat` by a forced tool (json_schema) or an instruction (json). */
export function createAnthropicModel(options: AnthropicOptions): LanguageModel {
  const url = `${(options.baseUrl ?? 'https://api.anthropic.com/v1').replace(/\/+$/, '')}/messages`;

  async function* stream(request: GenerateRequest): AsyncGenerator<GenerateEvent> {
    const wire = toWire(request.messages);
    const body: Record<string, unknown> = { model: options.model, max_tokens: request.maxTokens ?? 1024, stream: true, messages: wire.messages };
    const forced = forcedTool(request.responseFormat);
    const system = request.responseFormat?.type === 'json' ? [wire.system, JSON_MODE_INSTRUCTION].filter(Boolean).join('\n\n') : wire.system;
    if (system) body['system'] = system;
    if (request.temperature !== undefined) body['temperature'] = request.temperature;
    if (request.stop?.length) body['stop_sequences'] = request.stop;
    const wireTools: Array<Record<string, unknown>> = (request.tools ?? []).map((t) => ({ name: t.name, description: t.description, input_schema: t.parameters }));
    if (forced) {
      wireTools.push({ name: forced.name, description: 'Give your answer as the input of this tool.', input_schema: forced.input_schema });
      body['tool_choice'] = { type: 'tool', name: forced.name };
    } else if (request.toolChoice === 'required' && wireTools.length) {
      body['tool_choice'] = { type: 'any' };
    }
    if (wireTools.length) body['tools'] = wireTools;

    const stream = await postForStream({
      url,
      headers: { 'x-api-key': options.apiKey, 'anthropic-version': '2023-06-01' },
      body,
      signal: request.signal,
      timeoutMs: options.timeoutMs ?? 60_000,
    });

    const tools = new Map<number, { id: string; name: string; arguments: string }>();
    // With a forced tool, its input streams out as the text of the answer, and any text block the model
    // writes besides is held back — unless no forced call comes, when that text is all there is.
    let forcedIndex: number | undefined;
    let forcedEmitted = false;
    let wrappedInput = '';
    let asideText = '';
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
            if (event.content_block?.type === 'tool_use' && forced && forcedIndex === undefined && event.content_block.name === forced.name) {
              forcedIndex = event.index ?? 0;
            } else if (event.content_block?.type === 'tool_use') {
              tools.set(event.index ?? 0, { id: event.content_block.id ?? '', name: event.content_block.name ?? '', arguments: '' });
              yield { type: 'tool_call_delta', index: event.index ?? 0, id: event.content_block.id, name: event.content_block.name, argumentsDelta: '' };
            }
            break;
          case 'content_block_stop':
            if (forced && forcedIndex !== undefined && (event.index ?? 0) === forcedIndex && !forcedEmitted) {
              forcedEmitted = true;
              yield { type: 'text', delta: forced.wrapped ? unwrap(wrappedInput) : '{}' };
            }
            break;
          case 'content_block_delta':
            if (forced && forcedIndex !== undefined && (event.index ?? 0) === forcedIndex) {
              const part = event.delta?.partial_json ?? '';
              if (forced.wrapped) wrappedInput += part;
              else if (part) {
                forcedEmitted = true;
                yield { type: 'text', delta: part };
              }
              break;
            }
            if (event.delta?.type === 'text_delta' && event.delta.text) {
              if (forced) asideText += event.delta.text;
              else yield { type: 'text', delta: event.delta.text };
            }
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
    if (forced && forcedIndex !== undefined && !forcedEmitted) yield { type: 'text', delta: forced.wrapped ? unwrap(wrappedInput) : '{}' };
    if (forced && forcedIndex === undefined && asideText) yield { type: 'text', delta: asideText };
    // The forced call is the answer, not a request to run a tool.
    if (forced && forcedIndex !== undefined && finish === 'tool_calls' && tools.size === 0) finish = 'stop';
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
