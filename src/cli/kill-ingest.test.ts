import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, startCli } from './test-support/run-cli.js';

const FILES = 240;

function makeCorpus(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < FILES; i++) {
    const paragraphs = Array.from({ length: 40 }, (_, p) =>
      p % 2 === 0
        ? `Document ${i} paragraph ${p}: the turbine number ${i * 7 + p} reported vibration at ${p} hertz while the gearbox oil was ${i % 5} weeks old.`
        : `文档${i}第${p}段：风力发电机${i}号在${p}级风下运行，齿轮箱油温正常，叶片没有发现裂纹。`,
    );
    writeFileSync(join(dir, `doc-${String(i).padStart(4, '0')}.md`), `# Report ${i}\n\n${paragraphs.join('\n\n')}\n`);
  }
}

interface Counts {
  integrity: string;
  documents: number;
  chunks: number;
  ftsRows: number;
  statChunks: number;
  duplicateSources: number;
  orphanChunks: number;
}

function inspect(dbPath: string): Counts {
  const db = new Database(dbPath, { readonly: true });
  try {
    const one = (sql: string) => db.prepare(sql).pluck().get() as number;
    return {
      integrity: db.prepare('PRAGMA integrity_check').pluck().get() as string,
      documents: one('SELECT count(*) FROM documents'),
      chunks: one('SELECT count(*) FROM chunks'),
      ftsRows: one('SELECT count(*) FROM fts_c1'),
      statChunks: one('SELECT coalesce(sum(chunk_count), 0) FROM collections'),
      duplicateSources: one('SELECT count(*) - count(DISTINCT source) FROM documents'),
      orphanChunks: one('SELECT count(*) FROM chunks WHERE document_id NOT IN (SELECT id FROM documents)'),
    };
  } finally {
    db.close();
  }
}

function documentCount(dbPath: string): number {
  try {
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    try {
      return db.prepare('SELECT count(*) FROM documents').pluck().get() as number;
    } finally {
      db.close();
    }
  } catch {
    return 0;
  }
}

describe('an ingest killed with SIGKILL', () => {
  it('leaves a consistent database, and the rerun finishes without duplicates', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lore-kill-'));
    const corpus = join(root, 'corpus');
    makeCorpus(corpus);

    // Reference: one uninterrupted run.
    const cleanDb = join(root, 'clean.db');
    const clean = await runCli(['ingest', corpus, '--db', cleanDb, '--json', '--concurrency', '1', '--embedder', 'none']);
    expect(clean.code).toBe(0);
    const expected = inspect(cleanDb);
    expect(expected.documents).toBe(FILES);

    const dbPath = join(root, 'killed.db');
    const killedAt: number[] = [];
    // Kill three runs at different points; each later run resumes where the last one stopped.
    for (const fraction of [0.15, 0.45, 0.75]) {
      const child = startCli(['ingest', corpus, '--db', dbPath, '--concurrency', '1', '--embedder', 'none']);
      const exited = new Promise((resolve) => child.on('close', resolve));
      const target = Math.floor(FILES * fraction);
      const deadline = Date.now() + 60_000;
      while (documentCount(dbPath) < target && Date.now() < deadline && child.exitCode === null) {
        await new Promise((r) => setTimeout(r, 5));
      }
      child.kill('SIGKILL');
      await exited;
      const counts = inspect(dbPath);
      killedAt.push(counts.documents);
      expect(counts.integrity).toBe('ok');
      expect(counts.chunks).toBe(counts.ftsRows);
      expect(counts.chunks).toBe(counts.statChunks);
      expect(counts.orphanChunks).toBe(0);
      expect(counts.duplicateSources).toBe(0);
    }
    // The kills really happened mid-way.
    expect(killedAt.some((n) => n > 0 && n < FILES)).toBe(true);

    const rerun = await runCli(['ingest', corpus, '--db', dbPath, '--json', '--embedder', 'none']);
    expect(rerun.code).toBe(0);
    const report = JSON.parse(rerun.stdout) as { added: number; unchanged: number; failed: number };
    expect(report.failed).toBe(0);
    expect(report.added + report.unchanged).toBe(FILES);
    expect(report.unchanged).toBeGreaterThan(0);
    expect(inspect(dbPath)).toEqual(expected);

    // And a second rerun does nothing.
    const again = JSON.parse((await runCli(['ingest', corpus, '--db', dbPath, '--json', '--embedder', 'none'])).stdout) as { unchanged: number; added: number };
    expect(again).toMatchObject({ unchanged: FILES, added: 0 });
  });
});
