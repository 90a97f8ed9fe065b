import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { startTracing } from '../trace/start-tracing.js';
import { inAgentSpan } from './agent-span.js';

describe('agent spans', () => {
  it('records model steps and tool calls (with the GenAI tool attributes) as nested spans', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = await startTracing({ exporters: [exporter] });
    try {
      await inAgentSpan({ name: 'agent.model', attributes: { 'agent.step': 1 } }, () =>
        inAgentSpan({ name: 'agent.tool', attributes: { 'tool.name': 'search', 'tool.risk': 'read', 'tool.call_id': 'call_1' } }, async () => 'ok'),
      );
      await expect(inAgentSpan({ name: 'agent.tool', attributes: { 'tool.name': 'fetch' } }, async () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
      await tracing.forceFlush();
      const spans = exporter.getFinishedSpans();
      const model = spans.find((s) => s.name === 'agent.model')!;
      const [search, fetch] = spans.filter((s) => s.name === 'agent.tool');
      expect(search!.parentSpanContext?.spanId).toBe(model.spanContext().spanId);
      expect(search!.attributes).toMatchObject({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search', 'gen_ai.tool.call.id': 'call_1', 'tool.risk': 'read' });
      expect(fetch!.status).toMatchObject({ code: 2, message: 'refused' });
    } finally {
      await tracing.shutdown();
    }
  });

  it('is a plain call while tracing is off', async () => {
    await expect(inAgentSpan({ name: 'agent.tool', attributes: { 'tool.name': 'x' } }, async () => 42)).resolves.toBe(42);
  });
});
