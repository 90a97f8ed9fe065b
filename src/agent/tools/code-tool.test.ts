import { describe, expect, it } from 'vitest';
import type { ToolResultValue } from '../../spec/tool.js';
import { createCodeTool } from './code-tool.js';
import { runSandboxedJavaScript } from './sandbox/run-sandboxed-javascript.js';

describe('the JavaScript sandbox', () => {
  it('runs code and returns its value and printed output', async () => {
    const result = await runSandboxedJavaScript({ code: 'const xs = [3, 1, 2].sort(); console.log("sorted", xs); xs.reduce((a, b) => a + b, 0)' });
    expect(result).toMatchObject({ ok: true, value: 6, output: 'sorted [1,2,3]\n' });
    const asyncResult = await runSandboxedJavaScript({ code: '(async () => { const v = await Promise.resolve(21); return v * 2 })()' });
    expect(asyncResult).toMatchObject({ ok: true, value: 42 });
  });

  it('has no require, process, fetch, timers or file system, and no way to reach the host', async () => {
    const probe = await runSandboxedJavaScript({
      code: '[typeof require, typeof process, typeof fetch, typeof setTimeout, typeof std, typeof os, typeof module, typeof globalThis.Deno, typeof XMLHttpRequest].join(",")',
    });
    expect(probe.value).toBe(Array(9).fill('undefined').join(','));
    for (const code of ['require("fs")', 'process.exit(1)', 'fetch("http://127.0.0.1/")', 'this.constructor.constructor("return process")().exit()', 'import("fs")']) {
      const result = await runSandboxedJavaScript({ code });
      expect(result.ok, code).toBe(false);
      expect(result.error!.message, code).toMatch(/not defined|not a function|could not load|cannot|unsupported|not supported|No such file/i);
    }
  });

  it('interrupts an infinite loop at the time limit', async () => {
    const started = Date.now();
    const result = await runSandboxedJavaScript({ code: 'let i = 0; while (true) { i++ }', timeoutMs: 300 });
    expect(result.ok).toBe(false);
    expect(result.error!.message).toMatch(/interrupted/);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('stops a memory bomb at the memory limit', async () => {
    const result = await runSandboxedJavaScript({ code: 'const a = []; for (;;) a.push({ n: a.length })', memoryBytes: 8 * 1024 * 1024, timeoutMs: 5000 });
    expect(result.ok).toBe(false);
    expect(result.error!.message).toMatch(/out of memory/);
  });

  it('is a tool whose failures come back as error results', async () => {
    const tool = createCodeTool({ timeoutMs: 300 });
    const context = { signal: new AbortController().signal, callId: 'c' };
    const ok = (await tool.execute({ code: 'console.log(2 ** 10); "done"' }, context)) as ToolResultValue;
    expect(ok).toMatchObject({ content: 'Output:\n1024\n\nResult: done', isError: false });
    const bad = (await tool.execute({ code: 'while (true) {}' }, context)) as ToolResultValue;
    expect(bad.isError).toBe(true);
    expect(bad.content).toMatch(/InternalError: interrupted/);
  });
});
