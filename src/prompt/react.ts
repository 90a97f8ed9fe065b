import type { ToolSpec } from '../spec/models.js';
import { extractJson } from './extract-json.js';
import { promptLanguage, type PromptLanguage } from './prompt-language.js';
import { splitThinking } from './think-blocks.js';

/**
 * The ReAct text protocol (Thought / Action / Action Input / Observation / Final Answer), for models
 * without native tool calling. The keywords stay English in both languages: that is how the protocol
 * appears in the data models were trained on, and the parser accepts Chinese keywords anyway.
 */

export interface ReActAction {
  tool: string;
  /** The parsed JSON when the input was JSON (or near enough), else the text as written. */
  input: unknown;
  /** The input as the model wrote it, fences removed. */
  rawInput: string;
}

export interface ReActStep {
  thought: string;
  action?: ReActAction;
  finalAnswer?: string;
  /** Why the turn was neither an action nor a final answer: something to tell the model when asking again. */
  error?: string;
}

export interface ReActPromptOptions {
  tools: readonly ToolSpec[];
  language?: PromptLanguage;
}

/** Stop here so the model does not go on to invent the tool's result; pass as `stop` in the request. */
export const REACT_STOP_SEQUENCES: readonly string[] = ['\nObservation:', '\nObservation：', '\n观察：'];

const TEXT: Record<PromptLanguage, { intro: string; params: string; noParams: string; format: string; rules: string }> = {
  en: {
    intro: 'You can use the following tools:',
    params: 'Arguments (JSON Schema):',
    noParams: 'Arguments: none (use {})',
    format: [
      'Use exactly this format:',
      '',
      'Thought: think about what to do next',
      'Action: the tool to use, one of [{names}]',
      'Action Input: the arguments for the tool, as a JSON object',
      'Observation: the result of the tool',
      '... (Thought / Action / Action Input / Observation can repeat)',
      'Thought: I now know the final answer',
      'Final Answer: the answer to the original question',
    ].join('\n'),
    rules: 'Write one Action at a time and stop after its Action Input: the Observation will be given to you. Never write an Observation yourself. When you can answer, write "Final Answer:" instead of an Action.',
  },
  zh: {
    intro: '你可以使用以下工具：',
    params: '参数（JSON Schema）：',
    noParams: '参数：无（使用 {}）',
    format: [
      '请严格使用以下格式（关键词保持英文）：',
      '',
      'Thought: 思考下一步该做什么',
      'Action: 要使用的工具，必须是 [{names}] 之一',
      'Action Input: 工具的参数，JSON 对象',
      'Observation: 工具返回的结果',
      '……（Thought / Action / Action Input / Observation 可以重复多次）',
      'Thought: 我已经知道最终答案了',
      'Final Answer: 对原始问题的最终回答',
    ].join('\n'),
    rules: '每次只写一个 Action，写完 Action Input 就停下：Observation 会由系统提供，不要自己编写。能够回答时，用 "Final Answer:" 代替 Action。',
  },
};

/** The system-prompt text that teaches the protocol: each tool with its description and argument schema, then the format. */
export function renderReActInstructions(options: ReActPromptOptions): string {
  const text = TEXT[promptLanguage(options.language)];
  const tools = options.tools.map((t) => {
    const properties = (t.parameters as { properties?: Record<string, unknown> }).properties;
    const params = properties && Object.keys(properties).length > 0 ? `${text.params} ${JSON.stringify(t.parameters)}` : text.noParams;
    return `- ${t.name}${t.description ? `: ${t.description}` : ''}\n  ${params}`;
  });
  const names = options.tools.map((t) => t.name).join(', ');
  return `${text.intro}\n\n${tools.join('\n')}\n\n${text.format.replace('{names}', names)}\n\n${text.rules}`;
}

/** The text to append after the model's turn once the tool has run. */
export function formatObservation(options: { observation: string }): string {
  return `Observation: ${options.observation.trim()}`;
}

type Keyword = 'thought' | 'action' | 'input' | 'observation' | 'final';

const KEYWORDS: Array<[Keyword, string]> = [
  // Longer spellings first, so "Action Input" is not read as "Action" followed by " Input:".
  ['input', String.raw`action[ _-]?input|行动输入|动作输入|操作输入`],
  ['final', String.raw`final[ _-]?answer|最终答案|最终回答|最终回复`],
  ['observation', String.raw`observation|观察结果|观察`],
  ['thought', String.raw`thoughts?|思考|想法|思路`],
  ['action', String.raw`action|行动|动作|操作`],
];

// A keyword at a line start, tolerating markdown ("**Action:**", "### Thought:", "1. Action:") and full-width colons.
const KEYWORD_LINE = new RegExp(
  String.raw`^[ \t>*#_-]*(?:\d+[.)][ \t]*)?[*_]*(${KEYWORDS.map(([, p]) => p).join('|')})(?:[ \t]*\([^)\n]*\))?[ \t*_]*[:：][ \t*_]*`,
  'gimu',
);

interface Section {
  kind: Keyword;
  /** Where the keyword line starts. */
  start: number;
  /** Where the value after the colon starts. */
  valueStart: number;
}

function keywordOf(word: string): Keyword {
  for (const [kind, pattern] of KEYWORDS) if (new RegExp(`^(?:${pattern})$`, 'iu').test(word.trim())) return kind;
  return 'thought';
}

// The fallback when no keyword starts a line: "Thought: … Action: search Action Input: {…}" run together.
const KEYWORD_ANYWHERE = new RegExp(String.raw`(?<=^|[\s。.!?！？])[*_]*(${KEYWORDS.map(([, p]) => p).join('|')})[ 	*_]*[:：][ 	*_]*`, 'giu');

function sections(text: string, pattern: RegExp = KEYWORD_LINE): Section[] {
  return [...text.matchAll(pattern)].map((m) => ({ kind: keywordOf(m[1]!), start: m.index, valueStart: m.index + m[0].length }));
}

const isDecisive = (s: Section) => s.kind === 'action' || s.kind === 'final' || s.kind === 'input';

const stripFences = (s: string) => s.trim().replace(/^(```|~~~)[\w-]*[ \t]*\n?([\s\S]*?)\n?[ \t]*\1$/, '$2').trim();
const unquote = (s: string) => s.replace(/^(["'`“‘])([\s\S]*)(["'`”’])$/, '$2');

function parseInput(raw: string): unknown {
  if (raw === '' || /^(none|null|n\/a|无|空)$/i.test(raw)) return {};
  if (/^[[{]/.test(raw) || raw.includes('{')) {
    const json = extractJson(raw, { lenient: true });
    if (json.ok) return json.value;
  }
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return unquote(raw);
  }
}

/** "search", "`search`", "**search**", "search." and "the search tool" (given the tool names) all name `search`. */
function cleanToolName(raw: string, toolNames: readonly string[] | undefined): string {
  const name = raw
    .trim()
    .replace(/^[*_`"'“‘\s]+|[*_`"'”’\s.。,，:：;；]+$/g, '')
    .trim();
  if (!toolNames?.length) return name;
  const exact = toolNames.find((t) => t === name) ?? toolNames.find((t) => t.toLowerCase() === name.toLowerCase());
  if (exact) return exact;
  // The longest known name mentioned as a whole word, so "search_web" beats "search".
  const mentioned = [...toolNames]
    .sort((a, b) => b.length - a.length)
    .find((t) => new RegExp(`(^|[^\\w])${t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\w])`, 'i').test(name));
  return mentioned ?? name;
}

function actionFrom(actionValue: string, inputValue: string | undefined, toolNames: readonly string[] | undefined): ReActAction | { error: string } {
  let head = actionValue.trim();
  let inline: string | undefined;
  // "search[gearbox]" (the ReAct paper's form) or "search({...})".
  const call = /^[`*]*([\p{L}\p{N}_.-]+)[`*]*\s*(\[([\s\S]*)\]|\(([\s\S]*)\))\s*$/u.exec(head);
  if (call) {
    head = call[1]!;
    inline = call[3] ?? call[4];
  } else {
    // The name on the first line, arguments after it on the same line or below.
    const newline = head.indexOf('\n');
    const firstLine = newline < 0 ? head : head.slice(0, newline);
    const brace = firstLine.search(/[{[]/);
    if (brace > 0) {
      inline = head.slice(brace);
      head = firstLine.slice(0, brace);
    } else if (newline >= 0) {
      inline = head.slice(newline + 1);
      head = firstLine;
    }
  }
  // "Action: search Action Input: {...}" on one line.
  const tool = cleanToolName(head.replace(/\s*(action[ _-]?input|行动输入|动作输入)\s*[:：]?\s*$/iu, ''), toolNames);
  if (!tool) return { error: 'The "Action:" line names no tool.' };
  const raw = stripFences(inputValue ?? inline ?? '');
  return { tool, input: parseInput(raw), rawInput: raw };
}

/** `{"action": "search", "action_input": {...}}` — what models trained on LangChain's JSON agents write instead. */
function jsonBlobStep(text: string, thought: string, toolNames: readonly string[] | undefined): ReActStep | undefined {
  const json = extractJson(text, { lenient: true });
  if (!json.ok || typeof json.value !== 'object' || json.value === null || Array.isArray(json.value)) return undefined;
  const blob = json.value as Record<string, unknown>;
  const tool = blob['action'] ?? blob['tool'] ?? blob['name'];
  if (typeof tool !== 'string') return undefined;
  const input = blob['action_input'] ?? blob['tool_input'] ?? blob['arguments'] ?? blob['input'] ?? {};
  const before = text.slice(0, Math.max(0, text.indexOf(json.text))).replace(/(```|~~~)[\w-]*\s*$/, '').trim();
  const fullThought = [thought, before].filter(Boolean).join('\n');
  if (/^final[ _-]?answer$|^最终答案$/i.test(tool.trim())) {
    return { thought: fullThought, finalAnswer: typeof input === 'string' ? input : JSON.stringify(input) };
  }
  const rawInput = typeof input === 'string' ? input : JSON.stringify(input);
  return { thought: fullThought, action: { tool: cleanToolName(tool, toolNames), input: typeof input === 'string' ? parseInput(input) : input, rawInput } };
}

export interface ParseReActOptions {
  /** The tools on offer: lets "Search" or "the search tool" resolve to `search`. */
  toolNames?: readonly string[];
}

/**
 * Reads one model turn. Built for what small local models actually write: a missing "Thought:", extra
 * spaces and markdown around keywords, "：" for ":", Chinese keywords, code fences around the JSON, Python
 * dicts and trailing commas, `search[query]` calls, `<think>` blocks, and an invented "Observation:" with
 * everything after it (dropped — the turn ends where the tool should have run). When a turn holds both an
 * action and a final answer, whichever comes first wins: a final answer written after an action is a guess
 * at the tool's result.
 */
export function parseReActTurn(text: string, options: ParseReActOptions = {}): ReActStep {
  const { thinking, rest } = splitThinking(text.replace(/\r\n?/g, '\n'));
  let body = rest;
  let found = sections(body);
  if (!found.some(isDecisive)) found = sections(body, KEYWORD_ANYWHERE);
  const observation = found.find((s) => s.kind === 'observation');
  if (observation) {
    body = body.slice(0, observation.start);
    found = found.filter((s) => s.start < observation.start);
  }
  const valueOf = (i: number) => body.slice(found[i]!.valueStart, found[i + 1]?.start ?? body.length).trim();

  const decisive = found.findIndex(isDecisive);
  const preface = body.slice(0, found[0]?.start ?? body.length).trim();
  const thoughts = found.flatMap((s, i) => (s.kind === 'thought' && (decisive < 0 || i < decisive) ? [valueOf(i)] : []));
  const thought = [thinking, preface, ...thoughts].filter(Boolean).join('\n');

  if (decisive < 0) {
    return jsonBlobStep(body, [thinking, ...thoughts].filter(Boolean).join('\n'), options.toolNames) ?? {
      thought,
      error: 'The reply has neither an "Action:" with an "Action Input:" nor a "Final Answer:".',
    };
  }

  const first = found[decisive]!;
  if (first.kind === 'final') return { thought, finalAnswer: valueOf(decisive) };
  if (first.kind === 'input') return { thought, error: 'The reply has an "Action Input:" but no "Action:" naming the tool.' };

  const next = found[decisive + 1];
  const inputValue = next?.kind === 'input' ? valueOf(decisive + 1) : undefined;
  const action = actionFrom(valueOf(decisive), inputValue, options.toolNames);
  return 'error' in action ? { thought, error: action.error } : { thought, action };
}
