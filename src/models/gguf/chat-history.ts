import type { ChatHistoryItem, ChatModelFunctionCall } from 'node-llama-cpp';
import type { ChatMessage } from '../../spec/models.js';

function parseArguments(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Lore's messages as node-llama-cpp's chat history, ending with the empty model turn to be generated.
 * node-llama-cpp keeps a tool's result inside the call that asked for it (the chat wrapper renders both
 * in the model's own tool syntax), where Lore, like OpenAI, sends results as separate `tool` messages: each
 * result is folded into the assistant call with the same id. A result with no matching call (an id the
 * caller made up, or the call was trimmed away) becomes a user turn, so the model still sees it.
 */
export function toChatHistory(options: { messages: readonly ChatMessage[]; systemPrompt?: string; extraSystem?: string }): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = [];
  const calls = new Map<string, ChatModelFunctionCall>();
  const hasSystem = options.messages.some((m) => m.role === 'system');
  if (!hasSystem && options.systemPrompt) history.push({ type: 'system', text: options.systemPrompt });
  for (const message of options.messages) {
    switch (message.role) {
      case 'system':
        history.push({ type: 'system', text: message.content });
        break;
      case 'user':
        history.push({ type: 'user', text: message.content });
        break;
      case 'assistant': {
        const response: Array<string | ChatModelFunctionCall> = [];
        if (message.content) response.push(message.content);
        for (const call of message.toolCalls ?? []) {
          const item: ChatModelFunctionCall = { type: 'functionCall', name: call.name, params: parseArguments(call.arguments), result: '' };
          calls.set(call.id, item);
          response.push(item);
        }
        history.push({ type: 'model', response });
        break;
      }
      case 'tool': {
        const call = message.toolCallId === undefined ? undefined : calls.get(message.toolCallId);
        if (call) call.result = parseArguments(message.content);
        else history.push({ type: 'user', text: `Tool result${message.toolCallId ? ` (${message.toolCallId})` : ''}:\n${message.content}` });
        break;
      }
    }
  }
  if (options.extraSystem) {
    // After the caller's own system text, before the conversation: where chat templates expect it.
    const at = history.findIndex((item) => item.type !== 'system');
    history.splice(at < 0 ? history.length : at, 0, { type: 'system', text: options.extraSystem });
  }
  history.push({ type: 'model', response: [] });
  return history;
}
