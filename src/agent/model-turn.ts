import type { ChatMessage, FinishReason, GenerateRequest, LanguageModel, ToolCall, Usage } from '../spec/models.js';
import { countTokens } from '../text/count-tokens.js';
import { inAgentSpan } from './agent-span.js';

export interface ModelTurn {
  text: string;
  calls: ToolCall[];
  usage: Usage;
  finish: FinishReason;
}

/** What a turn costs when the provider reports nothing: the prompt and the reply counted by Lore's estimate. */
function estimateUsage(messages: readonly ChatMessage[], text: string, calls: readonly ToolCall[]): Usage {
  let input = 0;
  for (const m of messages) input += countTokens(m.content) + 4 + (m.toolCalls ?? []).reduce((n, c) => n + countTokens(c.arguments) + 4, 0);
  const output = countTokens(text) + calls.reduce((n, c) => n + countTokens(c.arguments) + 4, 0);
  return { inputTokens: input, outputTokens: output, estimated: true };
}

/**
 * One model call, streamed so that text reaches `onText` as it is written (a person watching the agent
 * sees it think), folded into text, tool calls, usage and the finish reason.
 */
export async function runModelTurn(options: { model: LanguageModel; request: GenerateRequest; step: number; onText?: (delta: string) => void }): Promise<ModelTurn> {
  const { model, request } = options;
  return inAgentSpan({ name: 'agent.model', attributes: { 'agent.step': options.step, 'model.id': model.id, 'agent.tools': request.tools?.length ?? 0 } }, async () => {
    let text = '';
    const calls: ToolCall[] = [];
    let usage: Usage | undefined;
    let finish: FinishReason = 'other';
    for await (const event of model.stream(request)) {
      if (event.type === 'text') {
        text += event.delta;
        options.onText?.(event.delta);
      } else if (event.type === 'tool_call') calls.push(event.call);
      else if (event.type === 'usage') usage = event.usage;
      else if (event.type === 'finish') finish = event.reason;
    }
    return { text, calls, usage: usage ?? estimateUsage(request.messages, text, calls), finish };
  });
}
