import type { GenerateEvent, GenerateRequest, LanguageModel, Usage } from '../../spec/models.js';
import { countTokens } from '../../text/count-tokens.js';
import { costOfCall, type CallCost } from '../cost/cost-of-call.js';
import { collectStream } from '../providers/openai-compatible.js';
import type { PriceTable } from '../cost/price-table.js';

/** One finished call, as the usage middleware reports it. */
export interface CallRecord {
  modelId: string;
  usage: Usage;
  durationMs: number;
  /** Time to the first text or tool-call event: what a person waiting for an answer feels. */
  firstTokenMs: number | null;
  cost: CallCost;
}

export interface UsageOptions {
  prices: PriceTable;
  localUsdPerHour?: number;
  /** Called once per completed call. */
  onCall: (record: CallRecord) => void;
}

function estimateUsage(request: GenerateRequest, output: string): Usage {
  // ~4 tokens of chat-template framing per message, as OpenAI documents for its own models.
  const input = request.messages.reduce((sum, m) => sum + countTokens(m.content) + 4, 0);
  return { inputTokens: input, outputTokens: countTokens(output), estimated: true };
}

/**
 * Token counting, timing and cost for every call. Providers that send no usage (some local servers, or a
 * stream cut before its usage event) get an estimate marked `estimated`, and the stream gains a usage event
 * so every caller sees counts. Cost comes from the price table, or from time for local models.
 */
export function withUsage(model: LanguageModel, options: UsageOptions): LanguageModel {
  async function* stream(request: GenerateRequest): AsyncGenerator<GenerateEvent> {
    const started = performance.now();
    let firstTokenMs: number | null = null;
    let usage: Usage | undefined;
    let output = '';
    for await (const event of model.stream(request)) {
      if ((event.type === 'text' || event.type === 'tool_call_delta' || event.type === 'tool_call') && firstTokenMs === null) {
        firstTokenMs = performance.now() - started;
      }
      if (event.type === 'text') output += event.delta;
      if (event.type === 'tool_call') output += event.call.name + event.call.arguments;
      if (event.type === 'usage') usage = event.usage;
      if (event.type === 'finish' && !usage) {
        usage = estimateUsage(request, output);
        yield { type: 'usage', usage };
      }
      yield event;
    }
    const durationMs = performance.now() - started;
    const final = usage ?? estimateUsage(request, output);
    options.onCall({
      modelId: model.id,
      usage: final,
      durationMs,
      firstTokenMs,
      cost: costOfCall({ modelId: model.id, usage: final, durationMs, prices: options.prices, localUsdPerHour: options.localUsdPerHour }),
    });
  }
  return {
    id: model.id,
    close: () => model.close?.() ?? Promise.resolve(),
    stream,
    generate: (request) => collectStream(stream(request), model.id),
  };
}
