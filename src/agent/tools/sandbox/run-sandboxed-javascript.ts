import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { LoreError } from '../../../spec/errors.js';

export interface SandboxOptions {
  code: string;
  /** CPU time for the script (default 2 s): QuickJS's interrupt handler stops it at this deadline. */
  timeoutMs?: number;
  /** QuickJS heap limit (default 32 MB): an allocation past it throws "out of memory" inside the script. */
  memoryBytes?: number;
  /** console.log output kept at most (default 20 000 characters). */
  maxOutputChars?: number;
  signal?: AbortSignal;
}

export interface SandboxResult {
  ok: boolean;
  /** The value of the script's last expression (awaited when it is a promise), as JSON-like data. */
  value?: unknown;
  /** The error the script threw, or why it was stopped ("interrupted", "out of memory"). */
  error?: { name: string; message: string };
  /** What the script printed with console.log / console.error, in order. */
  output: string;
  durationMs: number;
}

/**
 * The worker's whole program, evaluated as CommonJS inside the worker. Kept as a string so that it runs
 * the same from TypeScript sources (tests) and from dist/ (Node 20 cannot start a worker from a .ts file).
 */
const WORKER_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const { getQuickJS, shouldInterruptAfterDeadline } = require(workerData.modulePath);
(async () => {
  const QuickJS = await getQuickJS();
  const runtime = QuickJS.newRuntime();
  runtime.setMemoryLimit(workerData.memoryBytes);
  runtime.setMaxStackSize(512 * 1024);
  const started = Date.now();
  runtime.setInterruptHandler(shouldInterruptAfterDeadline(started + workerData.timeoutMs));
  const context = runtime.newContext();
  let output = '';
  const print = (...args) => {
    if (output.length > workerData.maxOutputChars) return;
    output += args.map((a) => typeof a === 'string' ? a : JSON.stringify(a)).join(' ') + '\n';
  };
  // The only thing the script gets from outside: a console that writes into a string.
  const consoleHandle = context.newObject();
  for (const name of ['log', 'info', 'warn', 'error', 'debug']) {
    const fn = context.newFunction(name, (...handles) => { print(...handles.map((h) => context.dump(h))); });
    context.setProp(consoleHandle, name, fn);
    fn.dispose();
  }
  context.setProp(context.global, 'console', consoleHandle);
  consoleHandle.dispose();
  const errorOf = (handle) => {
    const e = context.dump(handle);
    if (e && typeof e === 'object') return { name: String(e.name || 'Error'), message: String(e.message ?? e) };
    return { name: 'Error', message: String(e) };
  };
  let reply;
  try {
    const result = context.evalCode(workerData.code, 'script.js');
    if (result.error) {
      reply = { ok: false, error: errorOf(result.error) };
      result.error.dispose();
    } else {
      const handle = result.value;
      let settled = context.getPromiseState(handle);
      if (settled.notAPromise) {
        reply = { ok: true, value: context.dump(handle) };
      } else {
        // A promise (an async script): run its jobs until it settles, runs out of jobs, or the deadline stops it.
        while (settled.type === 'pending') {
          const jobs = runtime.executePendingJobs();
          if (jobs.error) { reply = { ok: false, error: errorOf(jobs.error) }; jobs.error.dispose(); break; }
          const next = context.getPromiseState(handle);
          if (jobs.value === 0 && next.type === 'pending') break;
          settled = next;
        }
        if (reply) {
          // Stopped by an error in a job.
        } else if (settled.type === 'pending') {
          reply = { ok: false, error: { name: 'Error', message: 'the promise never settled (there are no timers or I/O in the sandbox)' } };
        } else if (settled.type === 'rejected') {
          reply = { ok: false, error: errorOf(settled.error) };
          settled.error.dispose();
        } else {
          reply = { ok: true, value: context.dump(settled.value) };
          settled.value.dispose();
        }
      }
      handle.dispose();
    }
  } catch (error) {
    reply = { ok: false, error: { name: 'Error', message: String(error && error.message || error) } };
  }
  reply.output = output;
  reply.durationMs = Date.now() - started;
  try { context.dispose(); runtime.dispose(); } catch {}
  parentPort.postMessage(reply);
})().catch((error) => parentPort.postMessage({ ok: false, error: { name: 'Error', message: 'the sandbox failed to start: ' + String(error && error.message || error) }, output: '', durationMs: 0 }));
`;

let modulePath: string | undefined;

/**
 * Runs JavaScript in QuickJS compiled to WebAssembly, on a worker thread. The script has the language and
 * its built-ins (Math, JSON, Date, RegExp, typed arrays…) and a `console` that prints into the result —
 * no `require`, `process`, `fetch`, timers, file system or network, because QuickJS's own modules are not
 * loaded and nothing else is passed in. Limits: QuickJS's memory limit and an interrupt at the deadline;
 * and, for C built-ins that do not check for interrupts, the worker is terminated a second later.
 */
export async function runSandboxedJavaScript(options: SandboxOptions): Promise<SandboxResult> {
  const timeoutMs = options.timeoutMs ?? 2000;
  const memoryBytes = options.memoryBytes ?? 32 * 1024 * 1024;
  modulePath ??= createRequire(import.meta.url).resolve('quickjs-emscripten');
  options.signal?.throwIfAborted();
  const started = Date.now();
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { code: options.code, timeoutMs, memoryBytes, maxOutputChars: options.maxOutputChars ?? 20_000, modulePath },
    // The worker's own JavaScript heap, apart from QuickJS's WebAssembly memory.
    resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 },
    stdout: true,
    stderr: true,
  });
  return new Promise<SandboxResult>((resolve, reject) => {
    let done = false;
    const end = (fn: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(hardStop);
      options.signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      fn();
    };
    // Startup (loading the WebAssembly module) does not count against the script, hence the margin.
    const hardStop = setTimeout(
      () => end(() => resolve({ ok: false, error: { name: 'InternalError', message: 'interrupted: the time limit ran out' }, output: '', durationMs: Date.now() - started })),
      timeoutMs + 3000,
    );
    const onAbort = () => end(() => reject(new LoreError({ code: 'ABORTED', message: 'The script was cancelled', cause: options.signal?.reason })));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (reply: SandboxResult) => end(() => resolve(reply)));
    worker.once('error', (error) =>
      end(() =>
        resolve({ ok: false, error: { name: 'InternalError', message: /memory/i.test(error.message) ? 'out of memory' : error.message }, output: '', durationMs: Date.now() - started }),
      ),
    );
    worker.once('exit', (code) => end(() => resolve({ ok: false, error: { name: 'InternalError', message: `the sandbox stopped (exit code ${code})` }, output: '', durationMs: Date.now() - started })));
  });
}
