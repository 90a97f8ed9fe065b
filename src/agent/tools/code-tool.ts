import { z } from 'zod';
import type { Tool } from '../../spec/tool.js';
import { defineTool } from '../define-tool.js';
import { runSandboxedJavaScript } from './sandbox/run-sandboxed-javascript.js';

export interface CodeToolOptions {
  /** Per script (default 2 s). */
  timeoutMs?: number;
  /** Heap per script (default 32 MB). */
  memoryBytes?: number;
  /** Printed output kept at most (default 20 000 characters). */
  maxOutputChars?: number;
}

function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Runs JavaScript in a QuickJS WebAssembly sandbox: computation only, with no file system, network,
 * `require`, `process` or timers, and limits on time and memory. Risk `read`: a script can change nothing
 * outside its sandbox and reach no other machine.
 */
export function createCodeTool(options: CodeToolOptions = {}): Tool {
  const timeoutMs = options.timeoutMs ?? 2000;
  const memoryBytes = options.memoryBytes ?? 32 * 1024 * 1024;
  const parameters = z.object({
    code: z.string().min(1).max(100_000).describe('JavaScript to run; the value of the last expression is returned, console.log output is shown'),
  });
  return defineTool({
    name: 'run_javascript',
    description: `Runs JavaScript (ES2023) in an isolated sandbox and returns what it printed with console.log and the value of its last expression. Use it for data processing, exact arithmetic over many values, string manipulation or checking logic. No file system, network, imports or timers; at most ${timeoutMs / 1000} s and ${Math.round(memoryBytes / 1024 / 1024)} MB.`,
    parameters,
    risk: 'read',
    execute: async ({ code }, { signal }) => {
      const result = await runSandboxedJavaScript({ code, timeoutMs, memoryBytes, maxOutputChars: options.maxOutputChars, signal });
      const parts: string[] = [];
      if (result.output) parts.push(`Output:\n${result.output.trimEnd()}`);
      if (result.ok) parts.push(`Result: ${show(result.value)}`);
      else parts.push(`${result.error!.name}: ${result.error!.message}`);
      return { content: parts.join('\n\n'), isError: !result.ok, data: result };
    },
  });
}
