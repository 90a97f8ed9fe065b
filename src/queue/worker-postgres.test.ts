import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../cli/test-support/run-cli.js';
import { startPgliteVectorServer, type PgliteVectorServer } from '../store/postgres/test-support/pglite-vector-server.js';
import type { QueueStatus } from './batch-status.js';
import type { EnqueueReport } from './enqueue-files.js';
import { hasRedisServer, startRedisServer, type RedisServer } from './test-support/redis-server.js';

const EXAMPLES = fileURLToPath(new URL('../../examples', import.meta.url));

interface CollectionJson {
  name: string;
  documentCount: number;
  chunkCount: number;
}

const redisMissing = !hasRedisServer();

/**
 * The worker awaits every store call, so `--db postgres://…` works as a SQLite file does. PGlite (PostgreSQL
 * with pgvector, over the wire protocol) is one session: one worker with one connection and one job at a time.
 * The two-worker kill test runs on SQLite (distributed-ingest.test.ts).
 */
describe.skipIf(redisMissing)('lore worker writing into PostgreSQL', () => {
  let redis: RedisServer;
  let pg: PgliteVectorServer;
  let dir: string;
  const env = { LORE_TRACE: '0' };
  beforeAll(async () => {
    [redis, pg] = await Promise.all([startRedisServer(), startPgliteVectorServer()]);
    dir = mkdtempSync(join(tmpdir(), 'lore-queue-pg-'));
    cpSync(EXAMPLES, join(dir, 'examples'), { recursive: true });
  });
  afterAll(async () => {
    await redis?.stop();
    await pg?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('ingests the examples as a plain ingest into SQLite does, and finds them unchanged when enqueued again', { timeout: 120_000 }, async () => {
    const postgres = `${pg.url}?pool_size=1`;
    const plain = await runCli(['ingest', 'examples', '--db', join(dir, 'plain.db'), '--json'], { cwd: dir, env });
    expect(plain.code, plain.stderr).toBe(0);
    const [expected] = (JSON.parse((await runCli(['collections', '--db', join(dir, 'plain.db'), '--json'], { cwd: dir, env })).stdout) as { collections: CollectionJson[] }).collections;

    const worker = startCli(['worker', '--queue', redis.url, '--db', postgres, '--json'], { cwd: dir, env });
    let stderr = '';
    worker.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => worker.on('close', resolve));
    try {
      for (const round of [1, 2]) {
        const enqueued = await runCli(['ingest', 'examples', '--queue', redis.url, '--json'], { cwd: dir, env });
        expect(enqueued.code, enqueued.stderr).toBe(0);
        const { batch } = JSON.parse(enqueued.stdout) as EnqueueReport;
        const status = await runCli(['ingest', '--status', '--batch', batch, '--wait', '--queue', redis.url, '--json'], { cwd: dir, env });
        expect(status.code, `${status.stderr}\nworker: ${stderr}`).toBe(0);
        const b = (JSON.parse(status.stdout) as QueueStatus).batches[0]!;
        expect(b).toMatchObject(round === 1 ? { completed: 4, failed: 0, added: 4 } : { completed: 4, failed: 0, unchanged: 4, added: 0 });
        expect(b.chunks).toBe(expected!.chunkCount);
      }
    } finally {
      worker.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
    const [got] = (JSON.parse((await runCli(['collections', '--db', postgres, '--json'], { cwd: dir, env })).stdout) as { collections: CollectionJson[] }).collections;
    expect({ documents: got!.documentCount, chunks: got!.chunkCount }).toEqual({ documents: expected!.documentCount, chunks: expected!.chunkCount });
    // The vectors landed too: a vector search on PostgreSQL finds the English manual.
    const search = await runCli(['search', 'how often is the gearbox oil replaced', '--mode', 'vector', '-k', '1', '--db', postgres, '--json'], { cwd: dir, env });
    expect(search.code, search.stderr).toBe(0);
    expect(search.stdout).toContain('wind-turbine-maintenance.md');
  });
});
