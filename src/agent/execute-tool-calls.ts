import type { ToolOutput } from '../spec/tool.js';
import type { AgentToolCall, AgentToolResult, ToolCallStatus } from './agent-events.js';
import { inAgentSpan } from './agent-span.js';
import { decideApproval, type ApprovalPolicy } from './approval.js';
import type { PreparedTool } from './tool-schema.js';

export interface ExecuteToolCallsOptions {
  calls: readonly AgentToolCall[];
  tools: ReadonlyMap<string, PreparedTool>;
  policy: ApprovalPolicy;
  /** The run's signal: cancelling it abandons every call still running. */
  signal: AbortSignal;
  /** Per call (default 60 s). */
  toolTimeoutMs?: number;
  /** Results longer than this are cut before the model reads them (default 12 000 characters). */
  maxResultChars?: number;
  /** Calls running at once (default 4). */
  maxParallel?: number;
  /** Told about each result as it is known, which may be out of order; the returned array is in order. */
  onResult?: (result: AgentToolResult) => void;
}

export const DEFAULT_TOOL_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_RESULT_CHARS = 12_000;
export const DEFAULT_MAX_PARALLEL = 4;

/** Cuts a long result, saying so: a model that does not know it saw part of a page draws wrong conclusions. */
export function capResult(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}\n… [cut: ${text.length - max} more characters not shown]`;
}

/** The arguments as a value: an empty text is `{}` (some models send nothing for a tool without parameters). */
export function parseArguments(raw: string): { ok: true; value: unknown } | { ok: false; error: string } {
  if (raw.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(raw) as unknown };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

interface Pending {
  index: number;
  call: AgentToolCall;
  prepared: PreparedTool;
  args: unknown;
  approvedBy?: 'config' | 'person';
}

/**
 * Runs one turn's tool calls. Each call is checked first, in order — known tool, arguments that parse and
 * match the schema, approval for risky tools (one question at a time, so prompts never interleave) — and
 * every failure becomes a result the model can read and act on, never an exception. The approved calls
 * then run concurrently; the results come back in the order of the calls, as providers require.
 */
export async function executeToolCalls(options: ExecuteToolCallsOptions): Promise<AgentToolResult[]> {
  const maxChars = options.maxResultChars ?? DEFAULT_MAX_RESULT_CHARS;
  const results: Array<AgentToolResult | undefined> = new Array(options.calls.length);
  const settle = (index: number, result: AgentToolResult) => {
    results[index] = { ...result, content: capResult(result.content, maxChars) };
    options.onResult?.(results[index]!);
  };
  const refuse = (index: number, call: AgentToolCall, status: ToolCallStatus, content: string, prepared?: PreparedTool) =>
    settle(index, { callId: call.id, name: call.name, status, content, risk: prepared?.tool.risk, durationMs: 0 });

  const runnable: Pending[] = [];
  for (const [index, call] of options.calls.entries()) {
    if (options.signal.aborted) {
      refuse(index, call, 'skipped', 'Error: the run ended before this call could run.');
      continue;
    }
    const prepared = options.tools.get(call.name);
    if (!prepared) {
      const names = [...options.tools.keys()];
      refuse(index, call, 'unknown_tool', `Error: there is no tool named "${call.name}". ${names.length ? `The tools are: ${names.join(', ')}.` : 'No tools are available: answer directly.'}`);
      continue;
    }
    let args = call.arguments;
    if (args === undefined) {
      const parsed = parseArguments(call.rawArguments);
      if (!parsed.ok) {
        refuse(index, call, 'invalid_arguments', `Error: the arguments are not valid JSON (${parsed.error}). Call "${call.name}" again with one JSON object that matches its parameters.`, prepared);
        continue;
      }
      args = parsed.value;
    }
    const check = prepared.schema.validate(args);
    if (!check.ok) {
      refuse(index, call, 'invalid_arguments', `Error: the arguments do not match the parameters of "${call.name}":\n${check.errors.map((e) => `- ${e}`).join('\n')}\nCall it again with corrected arguments.`, prepared);
      continue;
    }
    const decision = await decideApproval({
      policy: options.policy,
      request: { call, arguments: check.value, tool: { name: prepared.tool.name, description: prepared.tool.description, risk: prepared.tool.risk } },
    });
    if (!decision.approved) {
      refuse(
        index,
        call,
        'refused',
        `Error: "${call.name}" (risk: ${prepared.tool.risk}) was not approved, so it did not run. Do not call it again with the same arguments; answer with what you have, or find another way.`,
        prepared,
      );
      continue;
    }
    runnable.push({ index, call, prepared, args: check.value, approvedBy: decision.by });
  }

  const limit = Math.max(1, options.maxParallel ?? DEFAULT_MAX_PARALLEL);
  let next = 0;
  const worker = async () => {
    while (next < runnable.length) {
      const item = runnable[next++]!;
      const attributes = { 'tool.name': item.call.name, 'tool.risk': item.prepared.tool.risk, 'tool.call_id': item.call.id };
      settle(item.index, await inAgentSpan({ name: 'agent.tool', attributes }, () => runOne(item, options)));
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, runnable.length) }, worker));
  return results.map((r) => r!);
}

function formatDuration(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}

function normalise(output: ToolOutput): { content: string; isError: boolean; data?: unknown } {
  if (typeof output === 'string') return { content: output, isError: false };
  if (output && typeof output === 'object' && 'content' in output) {
    const content = typeof output.content === 'string' ? output.content : JSON.stringify(output.content);
    return { content, isError: output.isError === true, data: output.data };
  }
  // A tool that broke its contract and returned something else still gives the model something to read.
  return { content: output === undefined ? '' : JSON.stringify(output), isError: false };
}

async function runOne(item: Pending, options: ExecuteToolCallsOptions): Promise<AgentToolResult> {
  const timeoutMs = options.toolTimeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS;
  const timer = new AbortController();
  const signal = AbortSignal.any([options.signal, timer.signal]);
  const started = Date.now();
  const base = { callId: item.call.id, name: item.call.name, risk: item.prepared.tool.risk, approvedBy: item.approvedBy };
  // A tool that ignores its signal must not hold the run: the call is abandoned when the signal fires.
  let onAbort: (() => void) | undefined;
  const abandoned = new Promise<'abandoned'>((resolve) => {
    onAbort = () => resolve('abandoned');
    signal.addEventListener('abort', onAbort, { once: true });
  });
  const timeout = setTimeout(() => timer.abort(), timeoutMs);
  try {
    const outcome = await Promise.race([item.prepared.tool.execute(item.args, { signal, callId: item.call.id }), abandoned]);
    const durationMs = Date.now() - started;
    if (outcome === 'abandoned' || (timer.signal.aborted && !options.signal.aborted)) {
      if (timer.signal.aborted && !options.signal.aborted) {
        return { ...base, status: 'timeout', content: `Error: "${item.call.name}" did not finish within ${formatDuration(timeoutMs)} and was stopped.`, durationMs };
      }
      return { ...base, status: 'error', content: `Error: "${item.call.name}" was stopped because the run ended.`, durationMs };
    }
    const out = normalise(outcome);
    return { ...base, status: out.isError ? 'error' : 'ok', content: out.isError && !/^error\b/i.test(out.content) ? `Error: ${out.content}` : out.content, data: out.data, durationMs };
  } catch (error) {
    const durationMs = Date.now() - started;
    if (timer.signal.aborted && !options.signal.aborted) {
      return { ...base, status: 'timeout', content: `Error: "${item.call.name}" did not finish within ${formatDuration(timeoutMs)} and was stopped.`, durationMs };
    }
    const message = error instanceof Error ? error.message : String(error);
    return { ...base, status: 'error', content: `Error: ${message}`, durationMs };
  } finally {
    clearTimeout(timeout);
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
