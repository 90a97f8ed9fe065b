import { GEN_AI } from './attributes.js';
import { recordContent } from './record-content.js';
import { withSpan } from './with-span.js';

export interface ToolSpanOptions<T> {
  /** The tool's name as the model called it. */
  name: string;
  /** The model's id for the call, linking the span to the tool call in the model's output. */
  callId?: string;
  /** The arguments as the model wrote them: recorded only with content recording on. */
  arguments?: unknown;
  run: () => Promise<T> | T;
}

/**
 * Runs one tool call in a span named as the GenAI conventions name it (`execute_tool <name>`), with the
 * tool's name and call id; arguments and result are recorded as content (redacted, only when enabled). For
 * the agent loop: wrap each tool invocation in it.
 */
export function withToolSpan<T>(options: ToolSpanOptions<T>): Promise<T> {
  const attributes = { [GEN_AI.operationName]: 'execute_tool', [GEN_AI.toolName]: options.name, ...(options.callId ? { [GEN_AI.toolCallId]: options.callId } : {}) };
  return withSpan(`execute_tool ${options.name}`, attributes, async (span) => {
    if (options.arguments !== undefined) recordContent(span, GEN_AI.toolCallArguments, options.arguments);
    const result = await options.run();
    recordContent(span, GEN_AI.toolCallResult, result);
    return result;
  });
}
