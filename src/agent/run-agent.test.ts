import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createOpenAICompatibleModel } from '../models/providers/openai-compatible.js';
import { startFakeOpenAIServer, type FakeOpenAIServer, type ScriptedModel } from '../models/test-support/fake-openai-server.js';
import { isLoreError } from '../spec/errors.js';
import type { GenerateEvent, GenerateRequest, LanguageModel } from '../spec/models.js';
import type { Tool } from '../spec/tool.js';
import type { AgentEvent } from './agent-events.js';
import { defineTool } from './define-tool.js';
import { runAgent } from './run-agent.js';
import { createCalculatorTool } from './tools/calculator-tool.js';

// Every scripted model is named here, so each test's request count starts at zero.
const scripts: Record<string, ScriptedModel> = {
  'calc-then-answer': {
    replies: [{ text: 'Let me compute that.', toolCalls: [{ name: 'calculator', arguments: '{"expression":"(1200 - 350) * 0.2"}' }] }, 'The result is 170.'],
  },
  'bad-calls': {
    replies: [
      {
        toolCalls: [
          { id: 'c1', name: 'calculator', arguments: '{"expression": "2+' },
          { id: 'c2', name: 'no_such_tool', arguments: '{}' },
          { id: 'c3', name: 'explode', arguments: '{"why":"testing"}' },
          { id: 'c4', name: 'calculator', arguments: '{"expr":"1+1"}' },
          { id: 'c5', name: 'calculator', arguments: '{"expression":"6*7"}' },
        ],
      },
      'Done: 42.',
    ],
  },
  parallel: {
    replies: [
      {
        toolCalls: [
          { id: 'p1', name: 'sleep', arguments: '{"ms":300,"label":"slow"}' },
          { id: 'p2', name: 'sleep', arguments: '{"ms":10,"label":"fast"}' },
          { id: 'p3', name: 'sleep', arguments: '{"ms":150,"label":"middle"}' },
        ],
      },
      'All three done.',
    ],
  },
  'risky-refused': { replies: [{ toolCalls: [{ id: 'r1', name: 'send_mail', arguments: '{"to":"a@example.com"}' }] }, 'I could not send it.'] },
  'risky-config': { replies: [{ toolCalls: [{ id: 'r1', name: 'send_mail', arguments: '{"to":"a@example.com"}' }] }, 'Sent.'] },
  'risky-person-no': { replies: [{ toolCalls: [{ id: 'r1', name: 'send_mail', arguments: '{"to":"a@example.com"}' }] }, 'Not sent.'] },
  'risky-person-yes': { replies: [{ toolCalls: [{ id: 'r1', name: 'send_mail', arguments: '{"to":"a@example.com"}' }] }, 'Sent.'] },
  'loops-forever': { replies: [{ toolCalls: [{ name: 'calculator', arguments: '{"expression":"1+1"}' }] }] },
  'token-hungry': { replies: [{ toolCalls: [{ name: 'calculator', arguments: '{"expression":"1+1"}' }] }], usage: { prompt_tokens: 30, completion_tokens: 10 } },
  'slow-tool': { replies: [{ toolCalls: [{ name: 'sleep', arguments: '{"ms":5000,"label":"long"}' }] }, 'never read'] },
  'tool-timeout': { replies: [{ toolCalls: [{ name: 'stubborn', arguments: '{}' }] }, 'The tool timed out.'] },
  'cancel-me': { replies: [{ toolCalls: [{ name: 'sleep', arguments: '{"ms":5000,"label":"long"}' }] }, 'never read'] },
  'no-tool-support': {
    rejectTools: true,
    replies: ['Thought: I should add.\nAction: calculator\nAction Input: {"expression": "19 + 23"}', 'Thought: I know it now.\nFinal Answer: 42'],
  },
  'react-text': {
    replies: [
      'I will use a tool.\nAction: calculator\nAction Input: ```json\n{"expression": "2^10"}\n```\nObservation: 1000 (invented, must be dropped)',
      'This reply follows no format at all.',
      'Thought: now the total\nAction: calculator[1024 + 1]',
      'Thought: I know the final answer\nFinal Answer: 1025',
    ],
  },
  'zod-defaults': { replies: [{ toolCalls: [{ name: 'greet', arguments: '{"name":"  Ada "}' }] }, 'Greeted.'] },
};

let openai: FakeOpenAIServer;
beforeAll(async () => {
  openai = await startFakeOpenAIServer({ scripted: scripts });
});
afterAll(async () => {
  await openai.close();
});

const model = (name: string) => createOpenAICompatibleModel({ baseUrl: openai.baseUrl, model: name });
const requestsOf = (name: string) => openai.requests.filter((r) => r['model'] === name);
type WireMessage = { role: string; content: string | null; tool_call_id?: string; tool_calls?: Array<{ id: string; function: { arguments: string } }> };

const calculator = createCalculatorTool();
const explode: Tool = {
  name: 'explode',
  description: 'Always throws',
  parameters: { type: 'object', properties: { why: { type: 'string' } }, required: ['why'] },
  risk: 'read',
  execute: async (args) => {
    throw new Error(`kaboom (${(args as { why: string }).why})`);
  },
};
function sleepTool(log: string[]): Tool {
  return defineTool({
    name: 'sleep',
    description: 'Waits',
    parameters: z.object({ ms: z.number().int().min(0), label: z.string() }),
    risk: 'read',
    execute: ({ ms, label }, { signal }) =>
      new Promise((resolve, reject) => {
        log.push(`start ${label}`);
        const t = setTimeout(() => {
          log.push(`end ${label}`);
          resolve(`slept ${ms} ms (${label})`);
        }, ms);
        signal.addEventListener('abort', () => {
          clearTimeout(t);
          log.push(`aborted ${label}`);
          reject(new Error('aborted'));
        });
      }),
  });
}
const sendMail = (sent: string[]): Tool =>
  defineTool({
    name: 'send_mail',
    description: 'Sends an email',
    parameters: z.object({ to: z.string() }),
    risk: 'network',
    execute: async ({ to }) => {
      sent.push(to);
      return `sent to ${to}`;
    },
  });

describe('runAgent with native tool calls (scripted OpenAI-compatible server)', () => {
  it('calls a tool, feeds the result back, and answers, streaming events in order', async () => {
    const events: AgentEvent[] = [];
    const result = await runAgent({ model: model('calc-then-answer'), task: 'What is 20% of 1200 minus 350?', tools: [calculator], onEvent: (e) => events.push(e) });
    expect(result.stopReason).toBe('answer');
    expect(result.answer).toBe('The result is 170.');
    expect(result.protocol).toBe('native');
    expect(result.steps).toHaveLength(2);
    expect(result.steps[0]!.thought).toBe('Let me compute that.');
    expect(result.steps[0]!.results[0]).toMatchObject({ name: 'calculator', status: 'ok', content: '(1200 - 350) * 0.2 = 170' });
    expect(result.usage).toEqual({ inputTokens: 20, outputTokens: 10 });
    expect(events.filter((e) => e.type !== 'text').map((e) => e.type)).toEqual(['step', 'thought', 'tool_call', 'tool_result', 'step', 'answer', 'stop']);

    // The second request carries the assistant's call and the tool's result, linked by id.
    const second = requestsOf('calc-then-answer')[1]!;
    const messages = second['messages'] as WireMessage[];
    const call = messages.find((m) => m.role === 'assistant')!.tool_calls![0]!;
    const toolMessage = messages.find((m) => m.role === 'tool')!;
    expect(toolMessage.tool_call_id).toBe(call.id);
    expect(toolMessage.content).toBe('(1200 - 350) * 0.2 = 170');
    expect((second['tools'] as unknown[]).length).toBe(1);
  });

  it('returns malformed arguments, unknown tools, schema mismatches and tool errors to the model as results, in call order', async () => {
    const result = await runAgent({ model: model('bad-calls'), task: 'Compute things', tools: [calculator, explode] });
    expect(result.answer).toBe('Done: 42.');
    const results = result.steps[0]!.results;
    expect(results.map((r) => [r.callId, r.status])).toEqual([
      ['c1', 'invalid_arguments'],
      ['c2', 'unknown_tool'],
      ['c3', 'error'],
      ['c4', 'invalid_arguments'],
      ['c5', 'ok'],
    ]);
    expect(results[0]!.content).toMatch(/not valid JSON/);
    expect(results[1]!.content).toMatch(/no tool named "no_such_tool".*calculator, explode/);
    expect(results[2]!.content).toBe('Error: kaboom (testing)');
    expect(results[3]!.content).toMatch(/do not match the parameters of "calculator"[\s\S]*expression/);
    expect(results[4]!.content).toBe('6*7 = 42');

    // Sent back in the same order, each answering its call; the malformed arguments replayed as {}.
    const messages = requestsOf('bad-calls')[1]!['messages'] as WireMessage[];
    expect(messages.filter((m) => m.role === 'tool').map((m) => m.tool_call_id)).toEqual(['c1', 'c2', 'c3', 'c4', 'c5']);
    expect(messages.find((m) => m.role === 'assistant')!.tool_calls![0]!.function.arguments).toBe('{}');
  });

  it('runs parallel calls concurrently and returns their results in call order', async () => {
    const log: string[] = [];
    const finished: string[] = [];
    const started = Date.now();
    const result = await runAgent({
      model: model('parallel'),
      task: 'Wait three times',
      tools: [sleepTool(log)],
      onEvent: (e) => {
        if (e.type === 'tool_result') finished.push(e.result.callId);
      },
    });
    const elapsed = Date.now() - started;
    expect(result.answer).toBe('All three done.');
    expect(log.slice(0, 3)).toEqual(['start slow', 'start fast', 'start middle']);
    expect(finished).toEqual(['p2', 'p3', 'p1']);
    expect(result.steps[0]!.results.map((r) => r.callId)).toEqual(['p1', 'p2', 'p3']);
    expect(elapsed).toBeLessThan(300 + 150 + 10);
  });

  it('refuses risky tools without approval, and runs them when configuration or a person allows', async () => {
    const sent: string[] = [];
    const refused = await runAgent({ model: model('risky-refused'), task: 'Mail a', tools: [sendMail(sent)] });
    expect(refused.steps[0]!.results[0]).toMatchObject({ status: 'refused', risk: 'network' });
    expect(refused.steps[0]!.results[0]!.content).toMatch(/not approved/);
    expect(sent).toEqual([]);

    const asked: string[] = [];
    const no = await runAgent({
      model: model('risky-person-no'),
      task: 'Mail a',
      tools: [sendMail(sent)],
      approve: async (request) => {
        asked.push(`${request.tool.name}:${request.tool.risk}:${JSON.stringify(request.arguments)}`);
        return false;
      },
    });
    expect(no.steps[0]!.results[0]!.status).toBe('refused');
    expect(asked).toEqual(['send_mail:network:{"to":"a@example.com"}']);
    expect(sent).toEqual([]);

    const byConfig = await runAgent({ model: model('risky-config'), task: 'Mail a', tools: [sendMail(sent)], allow: ['network'] });
    expect(byConfig.steps[0]!.results[0]).toMatchObject({ status: 'ok', approvedBy: 'config' });
    const byPerson = await runAgent({ model: model('risky-person-yes'), task: 'Mail a', tools: [sendMail(sent)], approve: async () => true });
    expect(byPerson.steps[0]!.results[0]).toMatchObject({ status: 'ok', approvedBy: 'person' });
    expect(sent).toEqual(['a@example.com', 'a@example.com']);
  });

  it('stops cleanly when the step budget runs out', async () => {
    const events: AgentEvent[] = [];
    const result = await runAgent({ model: model('loops-forever'), task: 'Loop', tools: [calculator], maxSteps: 3, onEvent: (e) => events.push(e) });
    expect(result.stopReason).toBe('max_steps');
    expect(result.answer).toBeUndefined();
    expect(result.stopMessage).toMatch(/3 model calls/);
    expect(result.steps).toHaveLength(3);
    expect(requestsOf('loops-forever')).toHaveLength(3);
    expect(events.at(-1)).toMatchObject({ type: 'stop', reason: 'max_steps', steps: 3 });
  });

  it('stops cleanly when the token budget runs out', async () => {
    const result = await runAgent({ model: model('token-hungry'), task: 'Loop', tools: [calculator], maxTokens: 100 });
    // 40 tokens a call: after three calls (120) the budget is spent.
    expect(result.stopReason).toBe('max_tokens');
    expect(result.steps).toHaveLength(3);
    expect(result.usage.inputTokens + result.usage.outputTokens).toBe(120);
    // The last call may write only what is left of the budget.
    expect(requestsOf('token-hungry')[2]!['max_tokens']).toBe(20);
  });

  it('stops cleanly when the time budget runs out, aborting the tool in flight', async () => {
    const log: string[] = [];
    const started = Date.now();
    const result = await runAgent({ model: model('slow-tool'), task: 'Wait', tools: [sleepTool(log)], maxTimeMs: 300 });
    expect(result.stopReason).toBe('max_time');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(log).toEqual(['start long', 'aborted long']);
    expect(result.steps[0]!.results[0]!.status).toBe('error');
  });

  it('abandons a tool that overruns its own time limit, telling the model', async () => {
    const stubborn: Tool = { name: 'stubborn', description: 'Never finishes', parameters: { type: 'object' }, risk: 'read', execute: () => new Promise(() => {}) };
    const result = await runAgent({ model: model('tool-timeout'), task: 'Try', tools: [stubborn], toolTimeoutMs: 100 });
    expect(result.answer).toBe('The tool timed out.');
    expect(result.steps[0]!.results[0]).toMatchObject({ status: 'timeout' });
    expect(result.steps[0]!.results[0]!.content).toMatch(/did not finish within 100 ms/);
  });

  it('rejects with ABORTED when cancelled', async () => {
    const log: string[] = [];
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 150);
    const error = await runAgent({ model: model('cancel-me'), task: 'Wait', tools: [sleepTool(log)], signal: controller.signal }).catch((e: unknown) => e);
    expect(isLoreError(error, 'ABORTED')).toBe(true);
    expect(log).toEqual(['start long', 'aborted long']);
  });

  it('validates with zod (transforms and defaults apply before execute)', async () => {
    const seen: unknown[] = [];
    const greet = defineTool({
      name: 'greet',
      description: 'Greets',
      parameters: z.object({ name: z.string().transform((s) => s.trim()), times: z.number().int().default(1) }),
      risk: 'read',
      execute: async (args) => {
        seen.push(args);
        return 'ok';
      },
    });
    const result = await runAgent({ model: model('zod-defaults'), task: 'Greet Ada', tools: [greet] });
    expect(result.answer).toBe('Greeted.');
    expect(seen).toEqual([{ name: 'Ada', times: 1 }]);
    // The model was shown the input side of the schema: `times` optional.
    const tools = requestsOf('zod-defaults')[0]!['tools'] as Array<{ function: { parameters: { required?: string[] } } }>;
    expect(tools[0]!.function.parameters.required).toEqual(['name']);
  });

  it('refuses bad tool sets before calling the model', async () => {
    await expect(runAgent({ model: model('calc-then-answer'), task: 'x', tools: [calculator, calculator] })).rejects.toThrow(/Two tools are named "calculator"/);
    await expect(runAgent({ model: model('calc-then-answer'), task: 'x', tools: [{ ...calculator, name: 'has space' }] })).rejects.toThrow(/not allowed/);
  });
});

describe('runAgent with the ReAct text protocol', () => {
  it('falls back to ReAct when the provider refuses tools (protocol auto)', async () => {
    const events: AgentEvent[] = [];
    const result = await runAgent({ model: model('no-tool-support'), task: 'What is 19 + 23?', tools: [calculator], onEvent: (e) => events.push(e) });
    expect(result.protocol).toBe('react');
    expect(result.answer).toBe('42');
    expect(events.find((e) => e.type === 'protocol')).toMatchObject({ protocol: 'react' });
    const requests = requestsOf('no-tool-support');
    // The refused request offered tools; the two after it are plain text.
    expect(requests.map((r) => Array.isArray(r['tools']))).toEqual([true, false, false]);
    const messages = requests[2]!['messages'] as WireMessage[];
    expect(messages[0]!.content).toMatch(/Action Input/);
    expect(messages.at(-1)).toEqual({ role: 'user', content: 'Observation: 19 + 23 = 42' });
  });

  it('drives a text-only model through actions, a format error and a final answer', async () => {
    const result = await runAgent({ model: model('react-text'), task: 'What is 2^10 + 1?', tools: [calculator], protocol: 'react' });
    expect(result.answer).toBe('1025');
    expect(result.steps.map((s) => s.calls[0]?.name ?? s.formatError ?? s.answer)).toEqual(['calculator', expect.stringMatching(/neither/), 'calculator', '1025']);
    // `calculator[1024 + 1]` is a bare string for a tool with one string parameter.
    expect(result.steps[2]!.results[0]!.content).toBe('1024 + 1 = 1025');
    const messages = requestsOf('react-text')[1]!['messages'] as WireMessage[];
    // The invented Observation is not kept; the real one follows.
    expect(messages.at(-2)!.content).not.toMatch(/invented/);
    expect(messages.at(-1)!.content).toBe('Observation: 2^10 = 1024');
    expect(requestsOf('react-text')[0]!['stop']).toContain('\nObservation:');
  });

  it('uses ReAct for a model object without native tool calling (protocol auto)', async () => {
    const seen: GenerateRequest[] = [];
    const turns = ['Action: calculator\nAction Input: {"expression": "3*3"}', 'Final Answer: nine'];
    const textModel: LanguageModel = {
      id: 'my-own-model',
      async generate() {
        throw new Error('unused');
      },
      async *stream(request): AsyncGenerator<GenerateEvent> {
        seen.push(request);
        yield { type: 'text', delta: turns[seen.length - 1] ?? 'Final Answer: ?' };
        yield { type: 'finish', reason: 'stop' };
      },
    };
    const result = await runAgent({ model: textModel, task: 'Square 3', tools: [calculator] });
    expect(result.protocol).toBe('react');
    expect(result.answer).toBe('nine');
    expect(seen.every((r) => r.tools === undefined)).toBe(true);
    // No usage reported: estimated.
    expect(result.usage.estimated).toBe(true);
    expect(result.usage.inputTokens).toBeGreaterThan(0);
  });
});
