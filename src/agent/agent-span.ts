import { GEN_AI } from '../trace/attributes.js';
import { withSpan } from '../trace/with-span.js';

/**
 * TRACING: the one place the agent records spans. Every model call ("agent.model") and every tool call
 * ("agent.tool") of a run goes through here. A tool call also carries the GenAI conventions' tool attributes
 * (`gen_ai.operation.name` = execute_tool, `gen_ai.tool.name`, `gen_ai.tool.call.id`); the model call inside
 * "agent.model" is a `chat <model>` span of its own (the model middleware's). With tracing off this is a call.
 */
export async function inAgentSpan<T>(options: { name: string; attributes?: Record<string, string | number | boolean> }, fn: () => Promise<T>): Promise<T> {
  const a = options.attributes ?? {};
  const tool = a['tool.name'];
  const attributes =
    typeof tool === 'string'
      ? { ...a, [GEN_AI.operationName]: 'execute_tool', [GEN_AI.toolName]: tool, ...(typeof a['tool.call_id'] === 'string' ? { [GEN_AI.toolCallId]: a['tool.call_id'] } : {}) }
      : a;
  return withSpan(options.name, attributes, () => fn());
}
