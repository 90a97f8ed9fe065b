import { describe, expect, it } from 'vitest';
import type { ToolSpec } from '../spec/models.js';
import { formatObservation, parseReActTurn, REACT_STOP_SEQUENCES, renderReActInstructions } from './react.js';

const tools: ToolSpec[] = [
  { name: 'search', description: 'Search the documents.', parameters: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] } },
  { name: 'search_web', description: 'Search the web.', parameters: { type: 'object', properties: { q: { type: 'string' } } } },
  { name: 'now', parameters: { type: 'object', properties: {} } },
];
const toolNames = tools.map((t) => t.name);

describe('ReAct prompt', () => {
  it('lists each tool with its description and argument schema, then the format', () => {
    const text = renderReActInstructions({ tools });
    expect(text).toContain('- search: Search the documents.\n  Arguments (JSON Schema): {"type":"object","properties":{"query":{"type":"string"}},"required":["query"]}');
    expect(text).toContain('- now\n  Arguments: none (use {})');
    expect(text).toContain('Action: the tool to use, one of [search, search_web, now]');
    expect(text).toMatch(/Thought:[\s\S]*Action Input:[\s\S]*Observation:[\s\S]*Final Answer:/);
    const zh = renderReActInstructions({ tools, language: 'zh' });
    expect(zh).toContain('你可以使用以下工具');
    expect(zh).toContain('Final Answer:');
    expect(formatObservation({ observation: ' 3 results \n' })).toBe('Observation: 3 results');
    expect(REACT_STOP_SEQUENCES).toContain('\nObservation:');
  });
});

describe('parseReActTurn', () => {
  it('reads the textbook form', () => {
    expect(parseReActTurn('Thought: I should look it up.\nAction: search\nAction Input: {"query": "gearbox oil"}')).toEqual({
      thought: 'I should look it up.',
      action: { tool: 'search', input: { query: 'gearbox oil' }, rawInput: '{"query": "gearbox oil"}' },
    });
    expect(parseReActTurn('Thought: I know it now.\nFinal Answer: Every 18 months.\nIt says so in the manual.')).toEqual({
      thought: 'I know it now.',
      finalAnswer: 'Every 18 months.\nIt says so in the manual.',
    });
  });

  it('tolerates a missing Thought:, extra spaces, markdown and odd capitalisation', () => {
    expect(parseReActTurn('I need to search.\n\n  **Action:**   search  \n  action input :  {"query":"x"}  ')).toEqual({
      thought: 'I need to search.',
      action: { tool: 'search', input: { query: 'x' }, rawInput: '{"query":"x"}' },
    });
    expect(parseReActTurn('### Thought: hmm\n1. Action: `search`\n2. Action_Input: {"query": "y"}').action).toMatchObject({ tool: 'search', input: { query: 'y' } });
  });

  it('takes the JSON out of code fences, across lines, and fixes Python dicts and trailing commas', () => {
    const fenced = parseReActTurn('Thought: search\nAction: search\nAction Input:\n```json\n{\n  "query": "gearbox"\n}\n```');
    expect(fenced.action).toEqual({ tool: 'search', input: { query: 'gearbox' }, rawInput: '{\n  "query": "gearbox"\n}' });
    expect(parseReActTurn("Action: search\nAction Input: {'query': 'oil'}").action!.input).toEqual({ query: 'oil' });
    expect(parseReActTurn('Action: search\nAction Input: {"query": "oil",}').action!.input).toEqual({ query: 'oil' });
  });

  it('accepts Chinese colons and Chinese keywords', () => {
    expect(parseReActTurn('Thought：需要查一下。\nAction：search\nAction Input：{"query": "齿轮油"}')).toEqual({
      thought: '需要查一下。',
      action: { tool: 'search', input: { query: '齿轮油' }, rawInput: '{"query": "齿轮油"}' },
    });
    expect(parseReActTurn('思考：需要查一下。\n行动：search\n行动输入：{"query": "齿轮油"}').action).toMatchObject({ tool: 'search', input: { query: '齿轮油' } });
    expect(parseReActTurn('思考：知道了。\n最终答案：每18个月。')).toEqual({ thought: '知道了。', finalAnswer: '每18个月。' });
  });

  it('drops an invented Observation and everything after it; the first of action and final answer wins', () => {
    const turn = parseReActTurn('Thought: look up\nAction: search\nAction Input: {"query": "oil"}\nObservation: it is 18 months\nThought: done\nFinal Answer: 18 months');
    expect(turn.action).toMatchObject({ tool: 'search', input: { query: 'oil' } });
    expect(turn.finalAnswer).toBeUndefined();
    expect(parseReActTurn('Final Answer: 18 months\nAction: search\nAction Input: {}')).toEqual({ thought: '', finalAnswer: '18 months' });
  });

  it('reads the other shapes weak models use for an action', () => {
    expect(parseReActTurn('Action: search[gearbox oil]').action).toEqual({ tool: 'search', input: 'gearbox oil', rawInput: 'gearbox oil' });
    expect(parseReActTurn('Action: search {"query": "oil"}').action).toMatchObject({ tool: 'search', input: { query: 'oil' } });
    expect(parseReActTurn('Action: search Action Input: {"query": "oil"}').action).toMatchObject({ tool: 'search', input: { query: 'oil' } });
    expect(parseReActTurn('Thought: I should search. Action: search Action Input: {"query": "oil"}')).toEqual({
      thought: 'I should search.',
      action: { tool: 'search', input: { query: 'oil' }, rawInput: '{"query": "oil"}' },
    });
    expect(parseReActTurn('我知道了。最终答案：每18个月。')).toEqual({ thought: '我知道了。', finalAnswer: '每18个月。' });
    expect(parseReActTurn('Action: now\nAction Input: None').action).toEqual({ tool: 'now', input: {}, rawInput: 'None' });
    expect(parseReActTurn('Action: search\nAction Input: "gearbox oil"').action!.input).toBe('gearbox oil');
    expect(parseReActTurn('Action: search\nAction Input: gearbox oil').action!.input).toBe('gearbox oil');
  });

  it('resolves tool names against the tools on offer', () => {
    expect(parseReActTurn('Action: Search.\nAction Input: {}', { toolNames }).action!.tool).toBe('search');
    expect(parseReActTurn('Action: use the search_web tool\nAction Input: {"q": "x"}', { toolNames }).action!.tool).toBe('search_web');
    expect(parseReActTurn('Action: calculator\nAction Input: {}', { toolNames }).action!.tool).toBe('calculator');
  });

  it('reads <think> blocks as thought and JSON action blobs', () => {
    expect(parseReActTurn('<think>The user wants oil intervals.</think>\nAction: search\nAction Input: {"query": "oil"}')).toEqual({
      thought: 'The user wants oil intervals.',
      action: { tool: 'search', input: { query: 'oil' }, rawInput: '{"query": "oil"}' },
    });
    expect(parseReActTurn('I will search.\n```json\n{"action": "search", "action_input": {"query": "oil"}}\n```')).toEqual({
      thought: 'I will search.',
      action: { tool: 'search', input: { query: 'oil' }, rawInput: '{"query":"oil"}' },
    });
    expect(parseReActTurn('{"action": "Final Answer", "action_input": "18 months"}')).toEqual({ thought: '', finalAnswer: '18 months' });
  });

  it('reports a turn it cannot act on, keeping the text as the thought', () => {
    expect(parseReActTurn('The oil is changed every 18 months.')).toEqual({
      thought: 'The oil is changed every 18 months.',
      error: expect.stringContaining('neither'),
    });
    expect(parseReActTurn('Thought: x\nAction Input: {"query": "y"}').error).toContain('no "Action:"');
    expect(parseReActTurn('Action:\nAction Input: {}').error).toContain('names no tool');
  });
});
