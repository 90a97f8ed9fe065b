import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPgliteVectorServer, type PgliteVectorServer } from '../store/postgres/test-support/pglite-vector-server.js';
import { runCli, type CliResult } from './test-support/run-cli.js';

const EXAMPLES = fileURLToPath(new URL('../../examples', import.meta.url));

interface JsonHit {
  rank: number;
  chunkId: number;
  source: string;
  text: string;
  score: number;
  headingPath: string[];
  scores: { keyword?: number; vector?: number; fused?: number };
}

/**
 * The same CLI session on a SQLite file and on PostgreSQL (PGlite with pgvector, over the wire protocol):
 * `--db postgres://…` must give the hits, answers and listings a SQLite file gives. The examples folder holds
 * English and Chinese documents, a CSV and an HTML page. Keyword scores are the same BM25 in both stores; vector
 * scores are float32 in pgvector and double in SQLite, so they agree to about 1e-6. PGlite is one session: the
 * child gets one connection (pool_size=1) and commands run one at a time.
 */
describe('lore CLI on PostgreSQL', () => {
  let pg: PgliteVectorServer;
  let dir: string;
  let sqlite: string;
  let postgres: string;
  // Traces would take a second connection; the model is extractive.
  const env = { LORE_TRACE: '0', LORE_MODEL: '' };
  const cli = (args: string[], db: string): Promise<CliResult> => runCli([...args, '--db', db, '--json'], { cwd: dir, env });
  const json = async <T>(args: string[], db: string): Promise<T> => {
    const r = await cli(args, db);
    expect(r.code, `${args.join(' ')} on ${db}: ${r.stderr}`).toBe(0);
    return JSON.parse(r.stdout) as T;
  };
  /** The command's JSON on SQLite and on PostgreSQL. */
  const both = async <T>(args: string[]): Promise<[T, T]> => [await json<T>(args, sqlite), await json<T>(args, postgres)];

  beforeAll(async () => {
    pg = await startPgliteVectorServer();
    postgres = `${pg.url}?pool_size=1`;
    dir = mkdtempSync(join(tmpdir(), 'lore-pg-cli-'));
    cpSync(EXAMPLES, join(dir, 'examples'), { recursive: true });
    sqlite = join(dir, 'lore.db');
  });
  afterAll(async () => {
    await pg?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('ingests the same documents, chunks and vectors; a second run finds them unchanged', async () => {
    type Report = { added: number; failed: number; chunks: number; embedding: { total: number; embedded: number; skipped: number } };
    const [a, b] = await both<Report>(['ingest', 'examples']);
    expect(b).toMatchObject({ added: 4, failed: 0 });
    expect({ added: b.added, chunks: b.chunks, embedding: b.embedding }).toEqual({ added: a.added, chunks: a.chunks, embedding: a.embedding });
    expect(b.embedding.skipped).toBeGreaterThan(0); // the Chinese manual: the bundled model is English-only
    const again = await json<{ added: number; unchanged: number }>(['ingest', 'examples'], postgres);
    expect(again).toMatchObject({ added: 0, unchanged: 4 });
  });

  it('search: the same hits in the same order, English and Chinese, hybrid and keyword', async () => {
    const queries = [
      ['how often should the gearbox oil be replaced'],
      ['齿轮油多久更换一次'],
      ['yaw brake pad', '--mode', 'keyword'],
      ['storm wind speed', '--mode', 'vector'],
    ];
    for (const query of queries) {
      const [a, b] = await both<{ mode: string; hits: JsonHit[] }>(['search', ...query, '-k', '5']);
      expect(b.mode).toBe(a.mode);
      expect(b.hits.length, query[0]).toBeGreaterThan(0);
      expect(b.hits.map((h) => [h.source, h.text, h.headingPath])).toEqual(a.hits.map((h) => [h.source, h.text, h.headingPath]));
      b.hits.forEach((h, i) => {
        const s = a.hits[i]!;
        if (s.scores.keyword !== undefined) expect(h.scores.keyword).toBeCloseTo(s.scores.keyword, 9);
        if (s.scores.vector !== undefined) expect(h.scores.vector).toBeCloseTo(s.scores.vector, 5);
        expect(h.score).toBeCloseTo(s.score, 5);
      });
    }
    const [, zh] = await both<{ hits: JsonHit[] }>(['search', '齿轮油多久更换一次', '-k', '3']);
    expect(zh.hits[0]!.source).toMatch(/风力发电机维护手册\.md$/);
    expect(zh.hits[0]!.text).toContain('十八个月');
  });

  it('ask (extractive): the same answer, sentences and citations', async () => {
    type Answer = { text: string; citations: Array<{ n: number; documentId: number; chunkId: number; source: string; quote?: string; headingPath: string[] }> };
    for (const question of ['How often should the gearbox oil be replaced?', '齿轮油多久更换一次']) {
      const [a, b] = await both<Answer>(['ask', question]);
      expect(b.text).toBe(a.text);
      expect(b.text.length).toBeGreaterThan(0);
      // Ids are each database's own (files are ingested concurrently); everything else is the same.
      const withoutIds = (answer: Answer) => answer.citations.map(({ documentId: _d, chunkId: _c, ...rest }) => rest);
      expect(withoutIds(b)).toEqual(withoutIds(a));
      expect(b.citations.length).toBeGreaterThan(0);
    }
    const [, zh] = await both<Answer>(['ask', '齿轮油多久更换一次']);
    expect(zh.text).toContain('十八个月');
  });

  it('collections, docs and stats describe the same contents', async () => {
    type Collections = { collections: Array<{ name: string; documentCount: number; chunkCount: number; settings: Record<string, unknown> }> };
    const [a, b] = await both<Collections>(['collections']);
    expect(b.collections.map(({ name, documentCount, chunkCount, settings }) => ({ name, documentCount, chunkCount, settings }))).toEqual(
      a.collections.map(({ name, documentCount, chunkCount, settings }) => ({ name, documentCount, chunkCount, settings })),
    );
    type Docs = { documents: Array<{ uid: string; source: string; type: string; chunkCount: number; bytes: number; contentHash: string }> };
    const [da, db] = await both<Docs>(['docs']);
    const view = (d: Docs) => d.documents.map(({ uid, source, type, chunkCount, bytes, contentHash }) => ({ uid, source, type, chunkCount, bytes, contentHash }));
    expect(view(db)).toEqual(view(da));
    expect(db.documents).toHaveLength(4);
    const stats = await json<{ path: string; schemaVersion: number; documents: number; chunks: number; fileBytes: number }>(['stats'], postgres);
    // The URL as shown: Lore's own parameters (pool_size) are not the driver's and not shown.
    expect(stats).toMatchObject({ path: pg.url, documents: 4, chunks: b.collections[0]!.chunkCount });
    expect(stats.schemaVersion).toBeGreaterThan(0);
    expect(stats.fileBytes).toBeGreaterThan(0);
  });

  it('reindex and eval generate read the collection through the store alike', async () => {
    type Reindex = { embedder: string; removedVectors: number; total: number; embedded: number };
    const [ra, rb] = await both<Reindex>(['reindex', '-c', 'default', '--no-progress']);
    expect(rb).toMatchObject({ embedder: ra.embedder, removedVectors: ra.removedVectors, total: ra.total, embedded: ra.embedded });
    // Test-set generation without a model is deterministic: the same questions from the same chunks.
    const generated: string[] = [];
    for (const [name, db] of [['sqlite', sqlite], ['postgres', postgres]] as const) {
      const out = join(dir, `testset-${name}.jsonl`);
      const summary = await json<{ questions: number }>(['eval', 'generate', '-c', 'default', '-n', '4', '--out', out], db);
      expect(summary.questions).toBe(4);
      generated.push(readFileSync(out, 'utf8').replace(/"chunk_id":\d+/g, '"chunk_id":0'));
    }
    expect(generated[1]).toBe(generated[0]);
  });

  it('rm: a document by id, then the collection; unknown names are NOT_FOUND on both', async () => {
    type Docs = { documents: Array<{ uid: string; source: string }> };
    const faq = (await json<Docs>(['docs'], postgres)).documents.find((d) => d.source.endsWith('faq.html'))!;
    const [a, b] = await both<{ removed: unknown[] }>(['rm', faq.uid]);
    expect(b).toEqual(a);
    expect(b.removed).toEqual([{ kind: 'document', name: faq.source }]);
    const [sa, sb] = await both<{ hits: JsonHit[] }>(['search', 'storm wind speed', '--mode', 'keyword']);
    expect(sb.hits.map((h) => h.source)).toEqual(sa.hits.map((h) => h.source));
    expect(sb.hits.some((h) => h.source === faq.source)).toBe(false);

    for (const db of [sqlite, postgres]) {
      const missing = await cli(['rm', 'nothing-here'], db);
      expect(missing.code).toBe(3);
      expect(JSON.parse(missing.stdout).error.code).toBe('NOT_FOUND');
    }
    const [ca, cb] = await both<{ removed: unknown[] }>(['rm', 'default']);
    expect(cb).toEqual(ca);
    expect((await json<{ collections: unknown[] }>(['collections'], postgres)).collections).toEqual([]);
  });

  it('reading commands on an empty database say how to start, as for a missing SQLite file', async () => {
    for (const db of [`${pg.url}?schema=nothing_here&pool_size=1`, join(dir, 'missing.db')]) {
      const r = await runCli(['search', 'oil', '--db', db], { env });
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toMatch(/No Lore database at .*lore ingest/s);
    }
  });

  it('an unreachable PostgreSQL is a clear database error', async () => {
    const r = await runCli(['search', 'oil', '--db', 'postgres://lore:secret@127.0.0.1:1/lore'], { env });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/Cannot connect to postgres:\/\/lore:\*\*\*@127\.0\.0\.1:1\/lore/);
    expect(r.stderr).not.toContain('secret');
  });
});
