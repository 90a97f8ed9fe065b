import Database from 'better-sqlite3';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCli } from '../cli/test-support/run-cli.js';

// The upload limit is 20 files a request; each file is big enough (~100 KB) that the job takes a moment.
const FILES = 20;
const COLLECTION = 'reports';

function makeFiles(): Array<{ name: string; text: string }> {
  return Array.from({ length: FILES }, (_, i) => {
    const paragraphs = Array.from({ length: 500 }, (_, p) =>
      p % 2 === 0
        ? `Report ${i} paragraph ${p}: turbine ${i * 11 + p} logged vibration at ${p % 97} hertz while the gearbox oil was ${(i + p) % 9} weeks old.`
        : `报告${i}第${p}段：风力发电机${i}号在${p % 13}级风下运行，齿轮箱油温正常，叶片没有发现裂纹。`,
    );
    return { name: `report-${String(i).padStart(2, '0')}.md`, text: `# Report ${i}\n\n${paragraphs.join('\n\n')}\n` };
  });
}

interface Server {
  child: ChildProcess;
  url: string;
  exited: Promise<unknown>;
}

const running: ChildProcess[] = [];

afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** Starts the real `lore serve` on a free port and waits for the `{url}` line `--json` prints once listening. */
function serve(dbPath: string): Promise<Server> {
  const child = startCli(['serve', '--port', '0', '--json', '--db', dbPath, '--embedder', 'none', '--log-format', 'json']);
  running.push(child);
  const exited = new Promise((resolve) => child.on('close', resolve));
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    child.stdout!.on('data', (d) => {
      stdout += d;
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve({ child, url: (JSON.parse(line) as { url: string }).url, exited });
    });
    child.on('close', (code) => reject(new Error(`lore serve exited (${code}) before listening: ${stderr}`)));
  });
}

interface JobView {
  id: string;
  status: string;
  progress: { filesDone: number; filesTotal: number };
  files: Array<{ name: string; status: string }>;
}

async function upload(url: string, files: Array<{ name: string; text: string }>): Promise<JobView> {
  const form = new FormData();
  for (const f of files) form.append('files', new Blob([f.text]), f.name);
  const res = await fetch(`${url}/api/collections/${COLLECTION}/documents`, { method: 'POST', body: form });
  expect(res.status).toBe(202);
  return ((await res.json()) as { job: JobView }).job;
}

async function job(url: string, id: string): Promise<JobView> {
  return ((await (await fetch(`${url}/api/jobs/${id}`)).json()) as { job: JobView }).job;
}

async function waitForJob(url: string, id: string): Promise<JobView> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const j = await job(url, id);
    if (!['queued', 'running'].includes(j.status) || Date.now() > deadline) return j;
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface Inspection {
  integrity: string;
  /** Chunks per stored document, by uploaded file name. */
  chunksByName: Record<string, number>;
  chunks: number;
  ftsRows: number;
  statChunks: number;
  documentsWithoutChunks: number;
  orphanChunks: number;
  /** Documents whose chunk ordinals are not exactly 0..n-1 (a half-written document). */
  gappedDocuments: number;
  duplicateNames: number;
}

function inspect(dbPath: string): Inspection {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const one = (sql: string) => db.prepare(sql).pluck().get() as number;
    const rows = db
      .prepare('SELECT d.source AS source, count(c.id) AS n FROM documents d LEFT JOIN chunks c ON c.document_id = d.id GROUP BY d.id')
      .all() as Array<{ source: string; n: number }>;
    const chunksByName: Record<string, number> = {};
    for (const r of rows) chunksByName[basename(r.source)] = r.n;
    const ftsTables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]).filter((t) => /^fts_c\d+$/.test(t));
    return {
      integrity: db.prepare('PRAGMA integrity_check').pluck().get() as string,
      chunksByName,
      chunks: one('SELECT count(*) FROM chunks'),
      ftsRows: ftsTables.reduce((sum, t) => sum + one(`SELECT count(*) FROM "${t}"`), 0),
      statChunks: one('SELECT coalesce(sum(chunk_count), 0) FROM collections'),
      documentsWithoutChunks: one('SELECT count(*) FROM documents WHERE id NOT IN (SELECT document_id FROM chunks)'),
      orphanChunks: one('SELECT count(*) FROM chunks WHERE document_id NOT IN (SELECT id FROM documents)'),
      gappedDocuments: one('SELECT count(*) FROM (SELECT document_id FROM chunks GROUP BY document_id HAVING max(ordinal) + 1 != count(*) OR min(ordinal) != 0)'),
      duplicateNames: rows.length - new Set(rows.map((r) => basename(r.source))).size,
    };
  } finally {
    db.close();
  }
}

/** Everything that must hold however the server died: each document is either whole (as a clean ingest writes it) or absent. */
function expectConsistent(state: Inspection, expected: Record<string, number>): void {
  expect(state.integrity).toBe('ok');
  expect(state.documentsWithoutChunks).toBe(0);
  expect(state.orphanChunks).toBe(0);
  expect(state.gappedDocuments).toBe(0);
  expect(state.duplicateNames).toBe(0);
  expect(state.chunks).toBe(state.statChunks);
  expect(state.chunks).toBe(state.ftsRows);
  for (const [name, n] of Object.entries(state.chunksByName)) expect([name, n]).toEqual([name, expected[name]]);
}

describe('a server killed with SIGKILL during an upload job', () => {
  it('leaves every document whole or absent, and the same upload after a restart completes without duplicates', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lore-kill-serve-'));
    const files = makeFiles();

    // Reference: one uninterrupted upload into a fresh database.
    const cleanDb = join(root, 'clean', 'lore.db');
    const clean = await serve(cleanDb);
    const cleanJob = await waitForJob(clean.url, (await upload(clean.url, files)).id);
    expect(cleanJob.status).toBe('done');
    clean.child.kill('SIGTERM');
    await clean.exited;
    const expected = inspect(cleanDb).chunksByName;
    expect(Object.keys(expected)).toHaveLength(FILES);
    expect(Object.values(expected).every((n) => n > 1)).toBe(true);

    const dbPath = join(root, 'killed', 'lore.db');
    const killedAt: number[] = [];
    // Two kills at different points; each restart uploads the same files again, resuming where the last stopped.
    for (const fraction of [0.25, 0.65]) {
      const server = await serve(dbPath);
      const { id } = await upload(server.url, files);
      const target = Math.floor(FILES * fraction);
      const deadline = Date.now() + 20_000;
      let seen = await job(server.url, id);
      while (seen.progress.filesDone < target && ['queued', 'running'].includes(seen.status) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 2));
        seen = await job(server.url, id);
      }
      server.child.kill('SIGKILL');
      await server.exited;
      // The kill landed while the job was still running.
      expect(seen.status).toBe('running');
      const state = inspect(dbPath);
      killedAt.push(Object.keys(state.chunksByName).length);
      expectConsistent(state, expected);
    }
    // Both kills really landed mid-way, the second later than the first.
    expect(killedAt[0]).toBeGreaterThan(0);
    expect(killedAt[1]).toBeGreaterThan(killedAt[0]!);
    expect(killedAt[1]).toBeLessThan(FILES);

    // Restart on the same database: the same upload finishes, every file present exactly once, as a clean run stores it.
    const server = await serve(dbPath);
    // Jobs live in memory: after the restart the list shows the stored documents, all ready, and nothing stuck in progress.
    const before = (await (await fetch(`${server.url}/api/collections/${COLLECTION}/documents`)).json()) as { documents: Array<{ name: string; status: string; chunkCount: number }> };
    expect(before.documents.map((d) => [d.name, d.status, d.chunkCount]).sort()).toEqual(
      Object.entries(inspect(dbPath).chunksByName).map(([name, n]) => [name, 'ready', n]).sort(),
    );
    expect(before.documents).toHaveLength(killedAt[1]!);
    const done = await waitForJob(server.url, (await upload(server.url, files)).id);
    expect(done.status).toBe('done');
    expect(done.files.every((f) => f.status === 'ready')).toBe(true);
    const { documents } = (await (await fetch(`${server.url}/api/collections/${COLLECTION}/documents`)).json()) as {
      documents: Array<{ name: string; status: string; chunkCount: number }>;
    };
    expect(documents.map((d) => [d.name, d.status, d.chunkCount]).sort()).toEqual(Object.entries(expected).map(([name, n]) => [name, 'ready', n]).sort());
    server.child.kill('SIGTERM');
    await server.exited;
    const final = inspect(dbPath);
    expectConsistent(final, expected);
    expect(final.chunksByName).toEqual(expected);
    expect(final.chunks).toBe(inspect(cleanDb).chunks);
    // The uploaded bytes on disk are the complete files, not a torn copy.
    for (const f of files) expect(readFileSync(join(root, 'killed', 'uploads', COLLECTION, f.name), 'utf8')).toBe(f.text);
    rmSync(root, { recursive: true, force: true });
  }, 60_000);
});
