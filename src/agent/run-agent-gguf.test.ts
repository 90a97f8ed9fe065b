import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createGgufModel } from '../models/gguf/index.js';
import { writeTinyGguf } from '../models/test-support/tiny-gguf.js';
import type { Tool } from '../spec/tool.js';
import type { AgentEvent } from './agent-events.js';
import { defineTool } from './define-tool.js';
import { FINAL_ANSWER_TOOL, runAgent } from './run-agent.js';
import { createCalculatorTool } from './tools/calculator-tool.js';

// A real llama.cpp model with random weights: its tool calls are meaningless, but forced by grammar to be
// schema-valid calls of offered tools. What is tested is the loop around them.
const dir = mkdtempSync(join(tmpdir(), 'lore-agent-gguf-'));
const path = join(dir, 'tiny.gguf');
writeTinyGguf({ path });
const model = createGgufModel({ path, threads: 1, contextSize: 2048, seed: 7 });

afterAll(async () => {
  await model.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('runAgent with a GGUF model (tool calls forced by grammar)', () => {
  it('runs the loop on real calls: each validated, executed, recorded, and the run ends within budget', async () => {
    const executed: Array<{ tool: string; args: unknown }> = [];
    const lookupSchema = z.object({ city: z.string().max(12), unit: z.enum(['c', 'f']) });
    const lookup = defineTool({
      name: 'lookup',
      description: 'Looks up a city',
      parameters: lookupSchema,
      risk: 'read',
      execute: async (args) => {
        executed.push({ tool: 'lookup', args });
        return `It is mild in ${args.city}.`;
      },
    });
    const calculator = createCalculatorTool();
    const recordingCalculator: Tool = {
      ...calculator,
      // Short expressions: a random model fills whatever length a string may have.
      parameters: z.object({ expression: z.string().min(1).max(16) }),
      execute: (args, context) => {
        executed.push({ tool: 'calculator', args });
        return calculator.execute(args as { expression: string }, context);
      },
    };
    const events: AgentEvent[] = [];
    const result = await runAgent({
      model,
      task: 'What is the weather in Oslo, and what is 2 + 2?',
      tools: [lookup, recordingCalculator],
      maxSteps: 4,
      maxOutputTokens: 96,
      temperature: 1,
      onEvent: (e) => events.push(e),
    });

    expect(result.protocol).toBe('native');
    expect(['answer', 'max_steps']).toContain(result.stopReason);
    expect(result.steps.length).toBeGreaterThanOrEqual(1);
    expect(result.steps.length).toBeLessThanOrEqual(4);
    // Every request offered the tools plus the answer tool, and required a call.
    const calls = result.steps.flatMap((s) => s.calls);
    expect(calls.length).toBeGreaterThanOrEqual(1);
    // A step without a call can only be a call cut off at the token limit, reported to the model.
    for (const s of result.steps.filter((s) => s.calls.length === 0)) expect(s.formatError).toMatch(/cut off/);
    for (const call of calls) expect(['lookup', 'calculator', FINAL_ANSWER_TOOL]).toContain(call.name);
    // Grammar-forced calls always match the schema, so none is refused as invalid or unknown. (A calculator
    // fed random text may fail to parse it: an `error` result, returned to the model.)
    const results = result.steps.flatMap((s) => s.results);
    expect(results).toHaveLength(calls.length);
    for (const r of results) expect(['ok', 'error']).toContain(r.status);
    for (const r of results.filter((r) => r.name === 'lookup')) expect(r.status).toBe('ok');
    // What ran is exactly what was recorded as run.
    const ran = results.filter((r) => r.name !== FINAL_ANSWER_TOOL).length;
    expect(executed).toHaveLength(ran);
    for (const e of executed.filter((e) => e.tool === 'lookup')) expect(lookupSchema.safeParse(e.args).success).toBe(true);

    if (result.stopReason === 'answer') {
      expect(typeof result.answer).toBe('string');
      expect(result.steps.at(-1)!.calls.some((c) => c.name === FINAL_ANSWER_TOOL)).toBe(true);
    } else {
      expect(result.steps).toHaveLength(4);
    }
    expect(events.at(-1)).toMatchObject({ type: 'stop', reason: result.stopReason, steps: result.steps.length });
    expect(result.usage.outputTokens).toBeGreaterThan(0);
  });

  it('accepts schemas with long length bounds (llama.cpp refuses grammar repetitions of 2000 or more)', async () => {
    // The calculator allows 2000-character expressions; the grammar leaves that bound to validation.
    const result = await runAgent({ model, task: 'What is 2 + 2?', tools: [createCalculatorTool()], maxSteps: 1, maxOutputTokens: 32 });
    expect(result.steps).toHaveLength(1);
    expect(['answer', 'max_steps']).toContain(result.stopReason);
  });
});
