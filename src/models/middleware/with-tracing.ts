import type { Span } from '@opentelemetry/api';
import type { ChatMessage, FinishReason, GenerateEvent, GenerateRequest, LanguageModel, ToolCall, Usage } from '../../spec/models.js';
import { GEN_AI, LORE } from '../../trace/attributes.js';
import { recordContent } from '../../trace/record-content.js';
import { isTracing } from '../../trace/tracing-state.js';
import { spanTime } from '../../trace/span-clock.js';
import { failSpan, startSpan, withActiveSpan } from '../../trace/with-span.js';
import { costOfCall } from '../cost/cost-of-call.js';
import type { PriceTable } from '../cost/price-table.js';

export interface TracingOptions {
  /** `gen_ai.system`: who serves the model (openai, anthropic, ollama, …); default from the model id. */
  system?: string;
  /** Prices for the call's cost attribute (the same table the usage middleware uses); no cost without. */
  prices?: PriceTable;
  localUsdPerHour?: number;
}

/** The model's name as a provider knows it: after `#` (openai-compatible), the file name (gguf), or after `:`. */
export function requestModelName(modelId: string): string {
  const hash = modelId.lastIndexOf('#');
  if (hash >= 0) return modelId.slice(hash + 1);
  if (modelId.startsWith('gguf:')) return modelId.slice(5).split(/[\\/]/).pop() ?? modelId;
  return modelId.slice(modelId.indexOf(':') + 1);
}

function systemOf(modelId: string): string {
  const prefix = modelId.slice(0, Math.max(0, modelId.indexOf(':')));
  if (prefix === 'gguf') return 'llama_cpp';
  return (prefix || 'unknown').replace(/-/g, '_');
}

/** Messages in the shape the GenAI conventions give `gen_ai.input.messages`: roles with typed parts. */
function conventionMessages(messages: ChatMessage[]): unknown[] {
  return messages.map((m) => {
    if (m.role === 'tool') return { role: 'tool', parts: [{ type: 'tool_call_response', id: m.toolCallId, response: m.content }] };
    const parts: unknown[] = m.content ? [{ type: 'text', content: m.content }] : [];
    for (const call of m.toolCalls ?? []) parts.push({ type: 'tool_call', id: call.id, name: call.name, arguments: call.arguments });
    return { role: m.role, parts };
  });
}

function outputMessages(text: string, toolCalls: ToolCall[], finish: FinishReason | undefined): unknown[] {
  const parts: unknown[] = text ? [{ type: 'text', content: text }] : [];
  for (const call of toolCalls) parts.push({ type: 'tool_call', id: call.id, name: call.name, arguments: call.arguments });
  return [{ role: 'assistant', parts, finish_reason: finish ?? 'other' }];
}

/**
 * A span per model call with the GenAI semantic-convention attributes: operation, system, requested model,
 * temperature, max tokens, stop sequences; on completion input/output tokens, finish reason, time to first
 * token, and Lore's cost. A failed call marks the span failed. Prompts and completions are recorded only
 * with content recording on (redacted, cut). Sits just outside the usage middleware, so every stream it
 * sees carries a usage event, and inside retries and the concurrency limit, so each attempt is one span
 * and queueing is not counted as the model's time. With tracing off, calls pass straight through.
 */
export function withTracing(model: LanguageModel, options: TracingOptions = {}): LanguageModel {
  const system = options.system ?? systemOf(model.id);
  const requestModel = requestModelName(model.id);

  const requestAttributes = (request: GenerateRequest) => ({
    [GEN_AI.operationName]: 'chat',
    [GEN_AI.system]: system,
    [GEN_AI.providerName]: system,
    [GEN_AI.requestModel]: requestModel,
    [LORE.modelId]: model.id,
    ...(request.temperature !== undefined ? { [GEN_AI.requestTemperature]: request.temperature } : {}),
    ...(request.maxTokens !== undefined ? { [GEN_AI.requestMaxTokens]: request.maxTokens } : {}),
    ...(request.stop?.length ? { [GEN_AI.requestStopSequences]: request.stop } : {}),
    ...(request.responseFormat && request.responseFormat.type !== 'text' ? { [GEN_AI.outputType]: 'json' } : {}),
    ...(request.tools?.length ? { 'lore.tools': request.tools.map((t) => t.name) } : {}),
  });

  const finishSpan = (span: Span, o: { usage?: Usage; finish?: FinishReason; durationMs: number; firstTokenMs?: number | null }) => {
    if (o.usage) {
      span.setAttribute(GEN_AI.usageInputTokens, o.usage.inputTokens);
      span.setAttribute(GEN_AI.usageOutputTokens, o.usage.outputTokens);
      if (o.usage.estimated) span.setAttribute(LORE.usageEstimated, true);
    }
    if (o.finish) span.setAttribute(GEN_AI.responseFinishReasons, [o.finish]);
    if (o.firstTokenMs !== undefined && o.firstTokenMs !== null) {
      span.setAttribute(GEN_AI.responseTimeToFirstChunk, o.firstTokenMs / 1000);
      span.setAttribute(LORE.timeToFirstTokenMs, Math.round(o.firstTokenMs * 10) / 10);
    }
    if (options.prices) {
      const cost = costOfCall({ modelId: model.id, usage: o.usage, durationMs: o.durationMs, prices: options.prices, localUsdPerHour: options.localUsdPerHour });
      if (cost.usd !== null) span.setAttribute(LORE.costUsd, cost.usd);
      span.setAttribute(LORE.costBasis, cost.basis);
    }
  };

  async function* stream(request: GenerateRequest): AsyncGenerator<GenerateEvent> {
    if (!isTracing()) {
      yield* model.stream(request);
      return;
    }
    const span = startSpan({ name: `chat ${requestModel}`, kind: 'client', attributes: requestAttributes(request) });
    recordContent(span, GEN_AI.inputMessages, () => conventionMessages(request.messages));
    const started = performance.now();
    let firstTokenMs: number | null = null;
    let usage: Usage | undefined;
    let finish: FinishReason | undefined;
    let text = '';
    const toolCalls: ToolCall[] = [];
    try {
      for await (const event of model.stream(request)) {
        if (firstTokenMs === null && (event.type === 'text' || event.type === 'tool_call_delta' || event.type === 'tool_call')) firstTokenMs = performance.now() - started;
        if (event.type === 'text') text += event.delta;
        else if (event.type === 'tool_call') toolCalls.push(event.call);
        else if (event.type === 'usage') usage = event.usage;
        else if (event.type === 'finish') finish = event.reason;
        yield event;
      }
    } catch (error) {
      failSpan(span, error);
      throw error;
    } finally {
      // Also when the consumer stops reading early: the span then ends without a finish reason.
      finishSpan(span, { usage, finish, durationMs: performance.now() - started, firstTokenMs });
      recordContent(span, GEN_AI.outputMessages, () => outputMessages(text, toolCalls, finish));
      span.end(spanTime());
    }
  }

  return {
    id: model.id,
    close: () => model.close?.() ?? Promise.resolve(),
    stream,
    async generate(request) {
      if (!isTracing()) return model.generate(request);
      const span = startSpan({ name: `chat ${requestModel}`, kind: 'client', attributes: requestAttributes(request) });
      recordContent(span, GEN_AI.inputMessages, () => conventionMessages(request.messages));
      const started = performance.now();
      try {
        const result = await withActiveSpan(span, () => model.generate(request));
        finishSpan(span, { usage: result.usage, finish: result.finishReason, durationMs: performance.now() - started });
        recordContent(span, GEN_AI.outputMessages, () => outputMessages(result.text, result.toolCalls, result.finishReason));
        return result;
      } catch (error) {
        failSpan(span, error);
        throw error;
      } finally {
        span.end(spanTime());
      }
    },
  };
}
