/**
 * Load test of `lore serve` (loopback only, bounded in time): 50 concurrent clients on /api/search and on
 * streamed /v1/chat/completions (lore/<collection> answered by a fake upstream model), below the configured
 * limits (no request may fail) and above them (only clean 429 / 503 answers), with p50/p99 latency and the
 * server's RSS before and after; and the same search behind a bare node:http handler in the same run, to
 * show what the server adds. The servers run in child processes (the real `lore serve` from dist/), the
 * clients here. Writes the "HTTP server" section of docs/benchmarks.md.
 *
 * Run: `npm run build && node --import tsx bench/server.ts [--duration 60] [--over-duration 20] [--clients 50] [--scenarios bare,search,chat,search-over,chat-over] [--no-write]`
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeBenchmarkSection } from './report.js';
import { asAsyncStore } from '../src/store/contract/async-store.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const DATASETS_DIR = process.env['LORE_DATASETS'] ?? join(ROOT, '..', 'shared', 'datasets');
const CORPUS = join(DATASETS_DIR, 'cranfield', 'corpus.jsonl');
const QUERIES = join(DATASETS_DIR, 'cranfield', 'queries.jsonl');
const LORE_BIN = join(ROOT, 'bin', 'lore.js');
const DIST_INDEX = join(ROOT, 'dist', 'index.js');

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!(value > 0)) throw new Error(`--${name} needs a positive number`);
  return value;
}
function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

// ---- child roles: the bare search server and the fake upstream model ----

/** The same search as /api/search, behind nothing but node:http and JSON.parse: the floor for the server. */
async function runBareServer(db: string): Promise<void> {
  const lore = (await import(DIST_INDEX)) as typeof import('../src/index.js');
  const store = new lore.SqliteStore({ path: db, readonly: true });
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d));
    req.on('end', () => {
      const body = JSON.parse(raw) as { query: string; k: number; mode: 'keyword'; collection: string };
      void lore.searchWithNotes({ store: asAsyncStore(store), query: body.query, k: body.k, mode: body.mode, filter: { collection: body.collection } }).then((r) => {
        const text = JSON.stringify({ query: body.query, results: [{ mode: r.mode, hits: r.hits, notes: r.notes, tookMs: 0 }] });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      });
    });
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }) + '\n'));
}

/** A model that answers at once, streamed in small pieces, citing source 1: the server's cost, not a model's. */
async function runUpstream(): Promise<void> {
  const { startScriptedOpenAIServer } = await import('../src/models/test-support/scripted-openai-server.js');
  const reply =
    'The boundary layer on a flat plate in supersonic flow thickens downstream of the shock [1]. Heat transfer measurements agree with the ' +
    'similarity solution within ten per cent at the stations measured [1], and the skin friction follows the same trend [2].';
  const upstream = await startScriptedOpenAIServer({ reply: () => reply });
  process.stdout.write(JSON.stringify({ url: upstream.baseUrl }) + '\n');
}

// ---- the load generator ----

interface Sample {
  status: number;
  ms: number;
  /** Streams: time to the first content chunk. */
  firstMs?: number;
  failed?: string;
}

interface ScenarioResult {
  name: string;
  target: string;
  limits: string;
  clients: number;
  seconds: number;
  samples: Sample[];
  rssBefore: number;
  rssAfter: number;
}

function startChild(args: string[], env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, LORE_MODEL: '', ...env } });
  return new Promise((resolveStart, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolveStart({ child, url: (JSON.parse(line) as { url: string }).url });
    });
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

/** One request; the body is read to the end. `check` decides whether a 200 body is a success. */
function send(url: string, body: unknown, check: (text: string) => string | undefined, stream: boolean): Promise<Sample> {
  const payload = JSON.stringify(body);
  const started = performance.now();
  return new Promise((resolveSample) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
      let text = '';
      let firstMs: number | undefined;
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        if (firstMs === undefined && stream && d.includes('"content":"') && !d.includes('"content":""}')) firstMs = performance.now() - started;
        text += d;
      });
      res.on('end', () => {
        const ms = performance.now() - started;
        const status = res.statusCode ?? 0;
        let failed: string | undefined;
        if (status === 200) failed = check(text);
        else if (status === 429 || status === 503) failed = res.headers['retry-after'] ? undefined : `${status} without Retry-After`;
        else failed = `status ${status}`;
        resolveSample({ status, ms, firstMs, failed });
      });
      res.on('error', (e) => resolveSample({ status: 0, ms: performance.now() - started, failed: e.message }));
    });
    req.on('error', (e) => resolveSample({ status: 0, ms: performance.now() - started, failed: e.message }));
    req.end(payload);
  });
}

async function load(o: { url: string; clients: number; seconds: number; body: (i: number) => unknown; check: (text: string) => string | undefined; stream?: boolean }): Promise<Sample[]> {
  const samples: Sample[] = [];
  const deadline = performance.now() + o.seconds * 1000;
  let n = 0;
  await Promise.all(
    Array.from({ length: o.clients }, async () => {
      while (performance.now() < deadline) {
        const sample = await send(o.url, o.body(n++), o.check, o.stream ?? false);
        samples.push(sample);
        // A refused client waits a little, as a polite one would, instead of spinning on refusals.
        if (sample.status === 429 || sample.status === 503) await new Promise((r) => setTimeout(r, 50));
      }
    }),
  );
  return samples;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const searchOk = (text: string) => {
  const body = JSON.parse(text) as { results?: Array<{ hits: unknown[] }> };
  return body.results?.[0]?.hits.length ? undefined : 'no hits';
};
const streamOk = (text: string) => {
  if (!text.trimEnd().endsWith('data: [DONE]')) return 'stream did not end with [DONE]';
  if (!text.includes('"lore_citations":[{')) return 'no lore_citations';
  return undefined;
};

async function main(): Promise<void> {
  const role = option('role');
  if (role === 'bare') return runBareServer(option('db')!);
  if (role === 'upstream') return runUpstream();

  const duration = flag('duration', 60);
  const overDuration = flag('over-duration', Math.min(20, duration));
  const clients = flag('clients', 50);
  const write = !process.argv.includes('--no-write');
  const lore = (await import(DIST_INDEX)) as typeof import('../src/index.js');
  const queries = readFileSync(QUERIES, 'utf8')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { text: string }).text);

  const loadBefore = loadavg()[0]!;
  const dir = mkdtempSync(join(tmpdir(), 'lore-bench-server-'));
  const db = join(dir, 'lore.db');
  const results: ScenarioResult[] = [];
  try {
    const indexStarted = performance.now();
    const store = new lore.SqliteStore({ path: db });
    const report = await lore.ingest({ store: asAsyncStore(store), paths: [CORPUS], collection: 'cranfield', loaderOptions: { textFields: ['title', 'text'], idField: '_id' } });
    store.close();
    console.log(`indexed ${report.chunks} chunks of Cranfield in ${((performance.now() - indexStarted) / 1000).toFixed(1)} s`);

    const upstream = await startChild(['--import', 'tsx', 'bench/server.ts', '--role', 'upstream']);
    const searchBody = (i: number) => ({ query: queries[i % queries.length], k: 10, mode: 'keyword', collection: 'cranfield' });
    const chatBody = (i: number) => ({
      model: 'lore/cranfield',
      stream: true,
      messages: [{ role: 'user', content: queries[i % queries.length] }],
      lore: { mode: 'keyword', k: 5 },
    });

    interface Arm {
      id: string;
      name: string;
      target: 'bare' | 'lore';
      limits: string;
      serveArgs?: string[];
      path: string;
    }
    const only = option('scenarios')?.split(',');
    /**
     * Runs arms (servers) under the same load. Several arms alternate in `rounds` slices, so that whatever
     * else the machine does at the time weighs on each alike — the comparison of Lore with the bare handler.
     */
    const scenario = async (o: { arms: Arm[]; seconds: number; rounds?: number; body: (i: number) => unknown; check: (text: string) => string | undefined; stream?: boolean }) => {
      const arms = o.arms.filter((a) => !only || only.includes(a.id));
      if (arms.length === 0) return;
      const started = await Promise.all(
        arms.map((a) =>
          a.target === 'bare'
            ? startChild(['--import', 'tsx', 'bench/server.ts', '--role', 'bare', '--db', db])
            : startChild([LORE_BIN, '--db', db, 'serve', '--port', '0', '--json', '--embedder', 'none', '--log-format', 'json', '--model', `openai-compatible:${upstream.url}#bench`, ...(a.serveArgs ?? [])]),
        ),
      );
      try {
        const runs = arms.map((arm, i) => ({ arm, child: started[i]!.child, url: started[i]!.url + arm.path, samples: [] as Sample[], rssBefore: 0 }));
        for (const run of runs) {
          // Warm-up with every client: page cache, JIT, and all keep-alive connections open before measuring.
          await load({ url: run.url, clients, seconds: Math.min(3, o.seconds), body: o.body, check: () => undefined, stream: o.stream });
          run.rssBefore = rssMb(run.child.pid!);
        }
        const rounds = runs.length > 1 ? (o.rounds ?? 8) : 1;
        for (let round = 0; round < rounds; round++) {
          for (const run of runs) {
            // Connections idle through the other arm's slice were closed by the server: reopen them unmeasured.
            if (round > 0) await load({ url: run.url, clients, seconds: 1, body: o.body, check: () => undefined, stream: o.stream });
            run.samples.push(...(await load({ url: run.url, clients, seconds: o.seconds / rounds, body: o.body, check: o.check, stream: o.stream })));
          }
        }
        for (const run of runs) {
          results.push({ name: run.arm.name, target: run.arm.target, limits: run.arm.limits, clients, seconds: o.seconds, samples: run.samples, rssBefore: run.rssBefore, rssAfter: rssMb(run.child.pid!) });
          print(results.at(-1)!);
        }
      } finally {
        await Promise.all(started.map((x) => stopChild(x.child)));
        agent.destroy();
      }
    };

    const generous = ['--rate-limit', '1000000/min', '--queue', '64', '--concurrency', '4'];
    const below = 'below (queue 64, no rate limit reached)';
    await scenario({
      arms: [
        { id: 'bare', name: 'search, bare node:http handler', target: 'bare', limits: 'none', path: '/' },
        { id: 'search', name: 'POST /api/search', target: 'lore', limits: below, serveArgs: generous, path: '/api/search' },
      ],
      seconds: duration,
      body: searchBody,
      check: searchOk,
    });
    const chat = { name: 'POST /v1/chat/completions (stream, lore/cranfield)', target: 'lore' as const, path: '/v1/chat/completions' };
    await scenario({ arms: [{ ...chat, id: 'chat', limits: below, serveArgs: generous }], seconds: duration, body: chatBody, check: streamOk, stream: true });
    await scenario({
      arms: [{ id: 'search-over', name: 'POST /api/search', target: 'lore', limits: 'above: rate limit 1200/min', serveArgs: ['--rate-limit', '1200/min', '--queue', '64'], path: '/api/search' }],
      seconds: overDuration,
      body: searchBody,
      check: searchOk,
    });
    await scenario({
      arms: [{ ...chat, id: 'chat-over', limits: 'above: queue 8, 2 at once', serveArgs: ['--rate-limit', '1000000/min', '--queue', '8', '--concurrency', '2'] }],
      seconds: overDuration,
      body: chatBody,
      check: streamOk,
      stream: true,
    });
    await stopChild(upstream.child);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const body = reportBody(results, { duration, overDuration, clients, load: [loadBefore, loadavg()[0]!] });
  console.log('\n' + body);
  if (write) writeBenchmarkSection({ file: join(ROOT, 'docs', 'benchmarks.md'), section: 'HTTP server', body });
  process.exit(results.some((r) => r.limits.startsWith('below') || r.target === 'bare' ? r.samples.some((s) => s.failed || s.status !== 200) : r.samples.some((s) => s.failed)) ? 1 : 0);
}

function summarise(r: ScenarioResult) {
  const ok = r.samples.filter((s) => s.status === 200 && !s.failed);
  const count = (status: number) => r.samples.filter((s) => s.status === status).length;
  const firsts = ok.map((s) => s.firstMs).filter((x): x is number => x !== undefined);
  return {
    requests: r.samples.length,
    ok: ok.length,
    rps: ok.length / r.seconds,
    r429: count(429),
    r503: count(503),
    failed: r.samples.filter((s) => s.failed).length,
    p50: percentile(ok.map((s) => s.ms), 50),
    p99: percentile(ok.map((s) => s.ms), 99),
    first50: percentile(firsts, 50),
    refusedP99: percentile(r.samples.filter((s) => s.status === 429 || s.status === 503).map((s) => s.ms), 99),
  };
}

function print(r: ScenarioResult): void {
  const s = summarise(r);
  console.log(
    `${r.name} [${r.target}, ${r.limits}]: ${s.requests} requests, ${s.ok} ok (${s.rps.toFixed(0)}/s), ${s.r429} × 429, ${s.r503} × 503, ${s.failed} failed; ` +
      `p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms; RSS ${r.rssBefore.toFixed(0)} → ${r.rssAfter.toFixed(0)} MB`,
  );
  for (const reason of [...new Set(r.samples.filter((x) => x.failed).map((x) => x.failed))].slice(0, 5)) console.log(`  failure: ${reason}`);
}

function reportBody(results: ScenarioResult[], o: { duration: number; overDuration: number; clients: number; load: [number, number] }): string {
  const ms = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '–');
  const rows = results.map((r) => {
    const s = summarise(r);
    return `| ${r.name} | ${r.target === 'bare' ? 'bare node:http' : 'lore serve'} | ${r.limits} | ${r.seconds} s | ${s.requests} | ${s.ok} (${s.rps.toFixed(0)}/s) | ${s.r429} | ${s.r503} | ${s.failed} | ${ms(s.p50)} | ${ms(s.p99)} | ${r.samples.some((x) => x.firstMs !== undefined) ? ms(s.first50) : '–'} | ${ms(s.refusedP99)} | ${r.rssBefore.toFixed(0)} → ${r.rssAfter.toFixed(0)} |`;
  });
  const bare = results.find((r) => r.target === 'bare');
  const lore = results.find((r) => r.target === 'lore' && r.name === 'POST /api/search' && r.limits.startsWith('below'));
  const lines = [
    `Generated by \`bench/server.ts\` on ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, Node ${process.version}. ${o.clients} concurrent keep-alive clients on loopback;`,
    `each scenario runs ${o.duration} s below the limits (the bare handler and Lore's search alternate in eight slices each, so that other load on the machine weighs on both alike) and ${o.overDuration} s above them, after a warm-up. The corpus is Cranfield (1,400 abstracts),`,
    'keyword search, k = 10, the 225 Cranfield queries in turn. The chat scenario asks `lore/cranfield` (keyword retrieval, 5 passages) with a fake',
    'upstream model that streams a fixed two-sentence answer at once (so the figures are the server’s cost, not a model’s). The servers are child',
    'processes (the real `lore serve` from dist/, logging JSON lines); the clients share the machine with them. "Failed" counts transport errors,',
    'unexpected statuses, 429/503 without Retry-After, and 200s without hits or without a complete stream (`data: [DONE]` and `lore_citations`).',
    `Refused clients wait 50 ms before their next request. The machine's load average was ${o.load[0].toFixed(1)} at the start and ${o.load[1].toFixed(1)} at the end`,
    '(other work shares its cores), so compare rows of one run rather than runs.',
    '',
    '| scenario | server | limits | time | requests | ok | 429 | 503 | failed | p50 ms | p99 ms | first token p50 ms | refusal p99 ms | server RSS MB before → after |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ];
  if (bare && lore) {
    const b = summarise(bare);
    const l = summarise(lore);
    lines.push(
      '',
      `Server overhead on the same search, both saturated by ${o.clients} clients: throughput ${((l.rps / b.rps) * 100).toFixed(0)}% of the bare handler's ` +
        `(${l.rps.toFixed(0)} vs ${b.rps.toFixed(0)} requests/s), that is ${ms(1000 / l.rps - 1000 / b.rps)} ms more server time per request; p50 ${ms(l.p50)} vs ${ms(b.p50)} ms, ` +
        `p99 ${ms(l.p99)} vs ${ms(b.p99)} ms (at saturation latency is mostly waiting for the one event loop: ${o.clients} clients ÷ throughput). ` +
        'The overhead is routing, authentication, rate limiting, zod validation, the work queue, security headers, metrics and a JSON log line per request.',
    );
  }
  return lines.join('\n');
}

await main();
