/**
 * What tracing costs: a keyword search loop over Cranfield (1,400 abstracts, 225 queries; the cheapest Lore
 * search, so the worst case for relative overhead) with tracing off, on into the SQLite database (as the CLI
 * and the server run it: a connection of its own, batches every second), on with inputs/outputs recorded
 * (redacted), and on with OTLP/HTTP export to a loopback collector as well. Configurations alternate over
 * several rounds; each round of a traced configuration ends with its flush, which is counted. Also the
 * cost of one `withSpan` call with tracing off and on, and of a whole `lore search` process (the compiled CLI)
 * with and without tracing, which loads the OpenTelemetry SDK. Writes the "Tracing overhead" section of
 * docs/benchmarks.md.
 *
 * Run: `npm run bench:tracing [-- --rounds 5] [--no-write]`
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readBeirDataset } from '../src/eval/beir.js';
import { percentile } from '../src/eval/metrics.js';
import { ingest } from '../src/ingest/ingest.js';
import { searchWithNotes } from '../src/retrieve/search.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { startTracing, type StartTracingOptions } from '../src/trace/start-tracing.js';
import { startOtlpCollectorStub } from '../src/trace/test-support/otlp-collector-stub.js';
import { withSpan } from '../src/trace/with-span.js';
import { writeBenchmarkSection } from './report.js';
import { asAsyncStore } from '../src/store/contract/async-store.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const DATASETS_DIR = process.env['LORE_DATASETS'] ?? join(ROOT, '..', 'shared', 'datasets');
const roundsArg = process.argv.indexOf('--rounds');
const ROUNDS = roundsArg >= 0 ? Number(process.argv[roundsArg + 1]) : 5;
const WRITE = !process.argv.includes('--no-write');
const CLI_RUNS = 20;

const signed = (n: number) => `${n >= 0 ? '+' : '−'}${Math.abs(n).toFixed(0)}`;

interface Config {
  name: string;
  tracing?: (dbPath: string, otlpUrl: string) => StartTracingOptions;
}

const CONFIGS: Config[] = [
  { name: 'off' },
  { name: 'on, SQLite', tracing: (dbPath) => ({ dbPath }) },
  { name: 'on, SQLite, content recorded', tracing: (dbPath) => ({ dbPath, recordContent: true }) },
  { name: 'on, SQLite + OTLP/HTTP', tracing: (dbPath, otlpUrl) => ({ dbPath, otlpUrl }) },
];

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lore-bench-tracing-'));
  const dbPath = join(dir, 'bench.db');
  const store = new SqliteStore({ path: dbPath });
  const collector = await startOtlpCollectorStub();
  try {
    const data = await readBeirDataset({ dir: join(DATASETS_DIR, 'cranfield') });
    await ingest({ store: asAsyncStore(store), paths: [join(DATASETS_DIR, 'cranfield', 'corpus.jsonl')], collection: 'cranfield' });
    const queries = data.queries.map((q) => q.text);
    const search = (query: string) => searchWithNotes({ store: asAsyncStore(store), query, k: 10, mode: 'keyword', filter: { collection: 'cranfield' } });
    for (const q of queries.slice(0, 20)) await search(q); // warm caches and JIT

    const perQuery = new Map<string, number[]>(CONFIGS.map((c) => [c.name, []]));
    const perRound = new Map<string, number[]>(CONFIGS.map((c) => [c.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const config of CONFIGS) {
        const started = performance.now();
        const tracing = config.tracing ? await startTracing(config.tracing(dbPath, `${collector.endpoint}/v1/traces`)) : undefined;
        for (const query of queries) {
          const t = performance.now();
          await search(query);
          perQuery.get(config.name)!.push(performance.now() - t);
        }
        await tracing?.shutdown(); // the flush is part of what tracing costs
        perRound.get(config.name)!.push(performance.now() - started);
      }
      process.stderr.write(`round ${round + 1}/${ROUNDS}\n`);
    }
    const spansStored = Number(store.db.prepare('SELECT count(*) FROM spans').pluck().get());
    const tracesStored = Number(store.db.prepare('SELECT count(*) FROM traces').pluck().get());

    // One withSpan around a trivial function, off and on (spans exported to the database as above).
    const spanCost = async (on: boolean): Promise<number> => {
      const tracing = on ? await startTracing({ dbPath, keep: 1000 }) : undefined;
      const n = on ? 20_000 : 2_000_000;
      let sink = 0;
      const t = performance.now();
      for (let i = 0; i < n; i++) sink += withSpan('x', undefined, () => i);
      const ms = performance.now() - t;
      await tracing?.shutdown();
      if (sink < 0) console.log(sink);
      return (ms * 1e6) / n;
    };
    const offNs = await spanCost(false);
    const onNs = await spanCost(true);

    // A whole CLI command: start-up, the search, the trace written at exit.
    const cli = (traced: boolean): number => {
      const t = performance.now();
      const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'lore.js'), ...(traced ? [] : ['--no-trace']), 'search', queries[0]!, '--mode', 'keyword', '--db', dbPath], {
        env: { ...process.env, LORE_TRACE: '', LORE_OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_ENDPOINT: '' },
        stdio: 'ignore',
      });
      if (r.status !== 0) throw new Error(`lore search exited with ${r.status}`);
      return performance.now() - t;
    };
    const cliOff: number[] = [];
    const cliOn: number[] = [];
    for (let i = 0; i < CLI_RUNS; i++) {
      cliOff.push(cli(false));
      cliOn.push(cli(true));
    }

    // Medians of rounds: other processes on a shared machine make single rounds slow at random.
    const baseRound = percentile(perRound.get('off')!, 50);
    const rows = CONFIGS.map((c) => {
      const times = perQuery.get(c.name)!;
      const round = percentile(perRound.get(c.name)!, 50);
      return `| ${c.name} | ${percentile(times, 50).toFixed(3)} | ${percentile(times, 95).toFixed(3)} | ${(round / queries.length).toFixed(3)} | ${c.name === 'off' ? '–' : `${(((round - baseRound) / baseRound) * 100).toFixed(1)}%`} |`;
    });
    const cliOffMs = percentile(cliOff, 50);
    const cliOnMs = percentile(cliOn, 50);
    const body = [
      `Keyword search over Cranfield (${data.corpus.length} documents, ${queries.length} queries, k = 10), ${ROUNDS} rounds per configuration, alternating;`,
      'each traced search is its own trace of 2 spans (`retrieve.search` › `retrieve.keyword`), as a server request is. Per-search time',
      'includes the batch exports that run meanwhile on the same thread; "per search, with flush" divides a round (tracing started,',
      'all queries, shutdown with its final flush; the median round) by the number of queries, and the overhead compares that with',
      'tracing off. Recording content writes each search\'s 10 passages (redacted, up to 2,000 characters each) into the database.',
      '',
      '| tracing | p50 ms | p95 ms | per search, with flush (ms) | overhead |',
      '|---|---:|---:|---:|---:|',
      ...rows,
      '',
      `One \`withSpan\` call: ${offNs.toFixed(1)} ns with tracing off (a plain call), ${(onNs / 1000).toFixed(1)} µs with tracing on (span, context switch, export to SQLite).`,
      `Stored after the run: ${tracesStored} traces (retention keeps the newest 1000) and ${spansStored} spans.`,
      '',
      `A whole \`lore search\` process (median of ${CLI_RUNS}, alternating): ${cliOffMs.toFixed(0)} ms with --no-trace, ${cliOnMs.toFixed(0)} ms traced (${signed(cliOnMs - cliOffMs)} ms: loading the SDK, the root span, the write at exit; process start-up varies by more than that).`,
      '',
      `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, load average ${loadavg()[0]!.toFixed(1)} at the end, Node ${process.version}. Run: \`npm run bench:tracing\`.`,
    ].join('\n');
    console.log(body);
    if (WRITE) writeBenchmarkSection({ file: join(ROOT, 'docs', 'benchmarks.md'), section: 'Tracing overhead', body });
  } finally {
    await collector.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
