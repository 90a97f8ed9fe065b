/**
 * TRACING: the one place the agent records spans. Every model call ("agent.model") and every tool call
 * ("agent.tool") of a run goes through here. When `src/trace/` offers `withSpan`, call it from this
 * function; nothing else in src/agent needs to change.
 */
export async function inAgentSpan<T>(options: { name: string; attributes?: Record<string, string | number | boolean> }, fn: () => Promise<T>): Promise<T> {
  void options;
  return fn();
}
