import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { isLoreError } from '../spec/errors.js';
import { asAsyncStore } from '../store/contract/async-store.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { ingest } from './ingest.js';

/**
 * Faults during ingestion: a database that cannot be written, a disk that fills up. Each must end in a clear
 * error and leave every document either fully written or absent — never a document without its chunks.
 */
const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'lore-ingest-faults-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeCorpus(folder: string, files: number, paragraphs: number): void {
  mkdirSync(folder, { recursive: true });
  for (let f = 0; f < files; f++) {
    const body = Array.from({ length: paragraphs }, (_, p) => `Paragraph ${p} of file ${f}: the gearbox oil of turbine ${f}-${p} is replaced every ${(p % 24) + 1} months after inspection.`).join('\n\n');
    writeFileSync(join(folder, `doc-${String(f).padStart(3, '0')}.md`), `# File ${f}\n\n${body}\n`);
  }
}

/** Every document has chunks, and the collection's count matches the rows: nothing half-written. */
function checkConsistent(path: string): { documents: number; chunks: number } {
  const db = new Database(path, { readonly: true });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const empty = db.prepare('SELECT COUNT(*) AS n FROM documents d WHERE NOT EXISTS (SELECT 1 FROM chunks c WHERE c.document_id = d.id)').get() as { n: number };
    expect(empty.n).toBe(0);
    const documents = (db.prepare('SELECT COUNT(*) AS n FROM documents').get() as { n: number }).n;
    const chunks = (db.prepare('SELECT COUNT(*) AS n FROM chunks').get() as { n: number }).n;
    const recorded = (db.prepare('SELECT COALESCE(SUM(chunk_count), 0) AS n FROM collections').get() as { n: number }).n;
    expect(recorded).toBe(chunks);
    return { documents, chunks };
  } finally {
    db.close();
  }
}

describe('ingestion faults', () => {
  it('a read-only database: a clear error, nothing written', async () => {
    const folder = join(dir, 'ro-corpus');
    writeCorpus(folder, 3, 5);
    const path = join(dir, 'ro.db');
    new SqliteStore({ path }).close();
    const store = new SqliteStore({ path, readonly: true });
    try {
      const error = await ingest({ store: asAsyncStore(store), paths: [folder], collection: 'c' }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isLoreError(error)).toBe(true);
      expect((error as Error).message).toMatch(/read-?only|readonly/i);
    } finally {
      store.close();
    }
    expect(checkConsistent(path).documents).toBe(0);
  });

  it.skipIf(process.platform === 'win32' || !existsSync(join(DIST, 'ingest', 'ingest.js')))(
    'a full disk (a file-size limit in a child process): a clear error, no half-written document, and a rerun finishes',
    () => {
      const folder = join(dir, 'full-corpus');
      writeCorpus(folder, 40, 60);
      const path = join(dir, 'full.db');
      const script = join(dir, 'ingest-child.mjs');
      writeFileSync(
        script,
        `import { ingest } from ${JSON.stringify(join(DIST, 'ingest', 'ingest.js'))};
import { SqliteStore } from ${JSON.stringify(join(DIST, 'store', 'sqlite', 'sqlite-store.js'))};
import { asAsyncStore } from ${JSON.stringify(join(DIST, 'store', 'contract', 'async-store.js'))};
const store = new SqliteStore({ path: process.argv[2] });
try {
  const report = await ingest({ store: asAsyncStore(store), paths: [process.argv[3]], collection: 'c', concurrency: 1 });
  console.log(JSON.stringify({ failed: report.failed, added: report.added, errors: report.errors.slice(0, 3) }));
} catch (error) {
  console.log(JSON.stringify({ thrown: { code: error.code, message: error.message } }));
} finally {
  try { store.close(); } catch {}
}
`,
      );
      // SIGXFSZ is ignored, so writes past the limit fail with EFBIG (as on a full disk) instead of killing the process.
      const limited = spawnSync('bash', ['-c', `trap '' XFSZ; ulimit -f 600; exec "${process.execPath}" "${script}" "${path}" "${folder}"`], { encoding: 'utf8', timeout: 120_000 });
      const out = JSON.parse(limited.stdout.trim().split('\n').at(-1) ?? '{}') as { failed?: number; added?: number; errors?: Array<{ code: string; message: string }>; thrown?: { code: string; message: string } };
      const message = out.thrown?.message ?? out.errors?.[0]?.message ?? '';
      expect(out.thrown !== undefined || (out.failed ?? 0) > 0, limited.stdout + limited.stderr).toBe(true);
      expect(out.thrown?.code ?? out.errors?.[0]?.code).toBe('DATABASE_ERROR');
      expect(message, message).toMatch(/could not be written: the disk is full/);
      const partial = checkConsistent(path);
      expect(partial.documents).toBeLessThan(40);
      const rerun = spawnSync(process.execPath, [script, path, folder], { encoding: 'utf8', timeout: 120_000 });
      expect(JSON.parse(rerun.stdout.trim().split('\n').at(-1)!)).toMatchObject({ failed: 0 });
      expect(checkConsistent(path).documents).toBe(40);
    },
  );
});
