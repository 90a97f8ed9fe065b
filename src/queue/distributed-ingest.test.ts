import Database from 'better-sqlite3';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../cli/test-support/run-cli.js';
import type { QueueStatus } from './batch-status.js';
import type { EnqueueReport } from './enqueue-files.js';
import { freePort, hasRedisServer, startRedisServer, type RedisServer } from './test-support/redis-server.js';

const ENGLISH = 15;
const CHINESE = 14;
const GOOD = ENGLISH + CHINESE;

/** English and Chinese reports, a few chunks each; every fifth file is larger than the 2 KB inline limit used below. */
function makeCorpus(dir: string): void {
  mkdirSync(join(dir, 'zh'), { recursive: true });
  for (let i = 0; i < ENGLISH; i++) {
    const paragraphs = Array.from({ length: i % 5 === 0 ? 24 : 8 }, (_, p) =>
      `Inspection ${i}.${p}: turbine ${i * 7 + p} reported vibration at ${p + 3} hertz; the gearbox oil was ${i % 5} weeks old and the blade bolts were torqued to ${300 + p} newton metres.`,
    );
    writeFileSync(join(dir, `report-${String(i).padStart(2, '0')}.md`), `# Report ${i}\n\n${paragraphs.join('\n\n')}\n`);
  }
  for (let i = 0; i < CHINESE; i++) {
    const paragraphs = Array.from({ length: i % 5 === 0 ? 30 : 10 }, (_, p) => `第${i}号风力发电机第${p}次巡检：齿轮箱油温正常，叶片没有发现裂纹，螺栓扭矩为${300 + p}牛米。`);
    writeFileSync(join(dir, 'zh', `巡检-${String(i).padStart(2, '0')}.md`), `# 巡检报告 ${i}\n\n${paragraphs.join('\n\n')}\n`);
  }
  // Looks like a PDF, is not one: the worker must fail it once, with the loader's error, not retry it forever.
  writeFileSync(join(dir, 'broken.pdf'), '%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage without an xref\n');
}

interface DbFacts {
  integrity: string;
  documents: number;
  distinctSources: number;
  chunks: number;
  statChunks: number;
  vectors: number;
  chunksBySource: Record<string, number>;
}

function facts(path: string): DbFacts {
  const db = new Database(path, { readonly: true });
  try {
    const one = (sql: string) => db.prepare(sql).pluck().get() as number;
    const rows = db.prepare('SELECT d.source, count(k.id) AS n FROM documents d LEFT JOIN chunks k ON k.document_id = d.id GROUP BY d.id').all() as Array<{ source: string; n: number }>;
    return {
      integrity: db.prepare('PRAGMA integrity_check').pluck().get() as string,
      documents: one('SELECT count(*) FROM documents'),
      distinctSources: one('SELECT count(DISTINCT source) FROM documents'),
      chunks: one('SELECT count(*) FROM chunks'),
      statChunks: one('SELECT coalesce(sum(chunk_count), 0) FROM collections'),
      vectors: one('SELECT count(*) FROM chunk_vectors'),
      chunksBySource: Object.fromEntries(rows.map((r) => [r.source, r.n])),
    };
  } finally {
    db.close();
  }
}

interface WorkerEvent {
  event: string;
  jobId?: string;
  source?: string;
  code?: string;
  result?: { outcome: string; chunks: number };
  [key: string]: unknown;
}

/** A `lore worker --json` process whose events (one JSON line each) can be awaited. */
function startWorker(args: string[]): { child: ChildProcess; events: WorkerEvent[]; stderr: () => string; waitFor: (test: (e: WorkerEvent) => boolean, ms?: number) => Promise<WorkerEvent>; exited: Promise<number | null> } {
  const child = startCli(['worker', ...args, '--json']);
  const events: WorkerEvent[] = [];
  const waiters: Array<{ test: (e: WorkerEvent) => boolean; resolve: (e: WorkerEvent) => void }> = [];
  let buffer = '';
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  child.stdout!.on('data', (d: Buffer) => {
    buffer += d.toString();
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (!line.trim()) continue;
      const event = JSON.parse(line) as WorkerEvent;
      events.push(event);
      for (const w of [...waiters]) {
        if (w.test(event)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(event);
        }
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child,
    events,
    stderr: () => stderr,
    exited,
    waitFor: (test, ms = 60_000) => {
      const seen = events.find(test);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no such worker event within ${ms} ms; stderr:\n${stderr}`)), ms);
        waiters.push({ test, resolve: (e) => (clearTimeout(timer), resolve(e)) });
      });
    },
  };
}

async function status(url: string, batch: string, wait = false): Promise<QueueStatus> {
  const result = await runCli(['ingest', '--status', '--batch', batch, '--queue', url, '--json', ...(wait ? ['--wait'] : [])]);
  expect(result.stderr).not.toMatch(/unexpected error/);
  return JSON.parse(result.stdout) as QueueStatus;
}

describe('lore ingest / lore worker usage errors', () => {
  it('names the queue it cannot reach, and refuses options that do not fit', async () => {
    const port = await freePort();
    const unreachable = await runCli(['ingest', 'examples', '--queue', `redis://127.0.0.1:${port}`]);
    expect(unreachable.code).toBe(4);
    expect(unreachable.stderr).toContain(`Cannot reach the queue at redis://127.0.0.1:${port}`);
    const notRedis = await runCli(['ingest', 'examples', '--queue', 'http://127.0.0.1:6379']);
    expect(notRedis.code).toBe(2);
    expect(notRedis.stderr).toContain('--queue must be a Redis URL');
    const statusAlone = await runCli(['ingest', '--status']);
    expect(statusAlone.code).toBe(2);
    expect(statusAlone.stderr).toContain('need --queue');
    const embedder = await runCli(['ingest', 'examples', '--queue', `redis://127.0.0.1:${port}`, '--embedder', 'none']);
    expect(embedder.code).toBe(2);
    expect(embedder.stderr).toContain('the workers embed');
    const nothing = await runCli(['ingest']);
    expect(nothing.code).toBe(2);
    const worker = await runCli(['worker']);
    expect(worker.code).toBe(2);
    expect(worker.stderr).toContain('--queue');
  });
});

const redisMissing = !hasRedisServer();
if (redisMissing) console.warn('skipping the distributed-ingestion test: redis-server is not installed (apt-get install redis-server; .ci/run does it)');

describe.skipIf(redisMissing)('distributed ingestion with a real redis-server and two workers, one killed mid-job', () => {
  let redis: RedisServer;
  const workers: ChildProcess[] = [];
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
    await redis?.stop();
  });

  it('lands every document exactly once, as a plain ingest would, and fails the corrupt file with its error', { timeout: 180_000 }, async () => {
    const root = mkdtempSync(join(tmpdir(), 'lore-queue-'));
    const corpus = join(root, 'corpus');
    makeCorpus(corpus);

    // Reference: a plain ingest of the same folder.
    const refDb = join(root, 'reference.db');
    const reference = await runCli(['ingest', corpus, '--db', refDb, '--json']);
    expect(reference.code).toBe(1); // the broken PDF
    const expected = facts(refDb);
    expect(expected.documents).toBe(GOOD);

    const enqueued = await runCli(['ingest', corpus, '--queue', redis.url, '--inline-limit', '2KB', '--json']);
    expect(enqueued.code, enqueued.stderr).toBe(0);
    const report = JSON.parse(enqueued.stdout) as EnqueueReport;
    expect(report).toMatchObject({ files: GOOD + 1, enqueued: GOOD + 1, alreadyQueued: 0, rejected: [] });
    // Some files travel by path (over 2 KB): these workers share the machine, so they can read them.
    expect(report.inline).toBeGreaterThan(0);
    expect(report.inline).toBeLessThan(GOOD + 1);

    const db = join(root, 'shared.db');
    // Slow enough (0.3 s before and after each write) that the kill lands inside a job; short locks so the
    // killed worker's job returns to the queue within seconds.
    const workerArgs = ['--queue', redis.url, '--db', db, '--concurrency', '2', '--lock-duration', '2000', '--test-delay', '300'];
    const a = startWorker(workerArgs);
    const b = startWorker(workerArgs);
    workers.push(a.child, b.child);

    // Kill A right after it has written a document but before the queue has heard the job is done: the worst
    // moment, since the job will be delivered again.
    const written = await a.waitFor((e) => e.event === 'written');
    a.child.kill('SIGKILL');
    await a.exited;
    const completedByA = new Set(a.events.filter((e) => e.event === 'completed').map((e) => e.jobId));
    expect(completedByA.has(written.jobId)).toBe(false);

    const final = await status(redis.url, report.batch, true);
    const batch = final.batches[0]!;
    expect(batch).toMatchObject({ batch: report.batch, state: 'enqueued', done: true, jobs: GOOD + 1, completed: GOOD, failed: 1, rejected: 0, waiting: 0, active: 0, retrying: 0 });
    expect(batch.added + batch.unchanged + batch.updated).toBe(GOOD);
    expect(batch.chunks).toBe(expected.chunks);
    expect(batch.failures).toHaveLength(1);
    expect(batch.failures[0]).toMatchObject({ code: 'CORRUPT_FILE', attempts: 1 });
    expect(batch.failures[0]!.source).toBe(join(corpus, 'broken.pdf'));
    expect(final.counts).toMatchObject({ waiting: 0, active: 0, delayed: 0, completed: GOOD, failed: 1 });

    // The job A was killed in went to B, which found the document already written: unchanged, not a duplicate.
    const redelivered = await b.waitFor((e) => e.event === 'completed' && e.jobId === written.jobId);
    expect(redelivered.result?.outcome).toBe('unchanged');

    const got = facts(db);
    expect(got.integrity).toBe('ok');
    expect(got.documents).toBe(GOOD);
    expect(got.distinctSources).toBe(GOOD);
    expect(got.chunksBySource).toEqual(expected.chunksBySource);
    expect(got.chunks).toBe(expected.chunks);
    expect(got.statChunks).toBe(expected.chunks);
    expect(got.vectors).toBe(expected.vectors);

    // SIGTERM: B stops cleanly.
    b.child.kill('SIGTERM');
    expect(await b.exited).toBe(0);
    expect(b.events.at(-1)).toMatchObject({ event: 'stopped' });

    // With no worker running, enqueueing the folder twice adds its jobs once: the second batch shares them.
    const again = JSON.parse((await runCli(['ingest', corpus, '--queue', redis.url, '--json'])).stdout) as EnqueueReport;
    expect(again).toMatchObject({ enqueued: GOOD + 1, alreadyQueued: 0 });
    const twice = JSON.parse((await runCli(['ingest', corpus, '--queue', redis.url, '--json'])).stdout) as EnqueueReport;
    expect(twice).toMatchObject({ enqueued: 0, alreadyQueued: GOOD + 1 });
    const waiting = (await status(redis.url, twice.batch)).batches[0]!;
    expect(waiting).toMatchObject({ jobs: GOOD + 1, waiting: GOOD + 1, done: false });

    // SIGTERM while a job is in hand: the worker finishes it, takes no other, and exits cleanly.
    const c = startWorker(['--queue', redis.url, '--db', db, '--test-delay', '500']);
    workers.push(c.child);
    const inHand = await c.waitFor((e) => e.event === 'active');
    c.child.kill('SIGTERM');
    expect(await c.exited).toBe(0);
    expect(c.events.filter((e) => e.event === 'active')).toHaveLength(1);
    expect(c.events.find((e) => e.event === 'completed' || e.event === 'failed')).toMatchObject({ jobId: inHand.jobId });
    expect(c.events.at(-1)).toMatchObject({ event: 'stopped' });

    const d = startWorker(['--queue', redis.url, '--db', db, '--concurrency', '2']);
    workers.push(d.child);
    const second = (await status(redis.url, twice.batch, true)).batches[0]!;
    expect(second).toMatchObject({ done: true, completed: GOOD, failed: 1, unchanged: GOOD, added: 0, updated: 0 });
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
    expect(facts(db)).toEqual(got);
  });
});
