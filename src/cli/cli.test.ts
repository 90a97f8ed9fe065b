import Database from 'better-sqlite3';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './test-support/run-cli.js';

const EXAMPLES = fileURLToPath(new URL('../../examples', import.meta.url));

interface JsonHit {
  rank: number;
  source: string;
  text: string;
  score: number;
  page: number | null;
  headingPath: string[];
  metadata: Record<string, unknown>;
}

describe('lore CLI', () => {
  let dir: string;
  let db: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lore-cli-'));
    cpSync(EXAMPLES, join(dir, 'examples'), { recursive: true });
    db = join(dir, 'lore.db');
    const result = await runCli(['ingest', 'examples', '--db', db], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/4 added/);
  });

  it('finds English passages with heading paths', async () => {
    const r = await runCli(['search', 'how often should the gearbox oil be replaced', '--db', db, '--json']);
    expect(r.code).toBe(0);
    const { hits } = JSON.parse(r.stdout) as { hits: JsonHit[] };
    expect(hits[0]!.source).toMatch(/wind-turbine-maintenance\.md$/);
    expect(hits[0]!.headingPath).toEqual(['Wind turbine maintenance guide', 'Gearbox']);
    expect(hits[0]!.text).toContain('18 months');
  });

  it('finds Chinese passages', async () => {
    const r = await runCli(['search', '齿轮油多久更换一次', '--db', db, '--json', '-k', '3']);
    const { hits } = JSON.parse(r.stdout) as { hits: JsonHit[] };
    expect(hits[0]!.source).toMatch(/风力发电机维护手册\.md$/);
    expect(hits[0]!.text).toContain('十八个月');
    expect(hits.length).toBeLessThanOrEqual(3);
  });

  it('searches HTML main content only and CSV rows as records', async () => {
    const html = JSON.parse((await runCli(['search', 'storm wind speed', '--db', db, '--json'])).stdout) as { hits: JsonHit[] };
    expect(html.hits[0]!.source).toMatch(/faq\.html$/);
    const nav = JSON.parse((await runCli(['search', 'analytics', '--db', db, '--json', '--mode', 'keyword'])).stdout) as { hits: JsonHit[] };
    expect(nav.hits).toHaveLength(0);
    const csv = JSON.parse((await runCli(['search', 'yaw brake pad', '--db', db, '--json', '--type', 'csv'])).stdout) as { hits: JsonHit[] };
    expect(csv.hits[0]!.text).toContain('YAW-PAD');
    expect(csv.hits[0]!.metadata['row']).toBe(2);
  });

  it('hybrid search (the default) shows both sides’ scores; vector mode finds meaning without shared words', async () => {
    const hybrid = JSON.parse((await runCli(['search', 'gearbox oil replacement', '--db', db, '--json'])).stdout) as { mode: string; hits: Array<JsonHit & { scores: Record<string, number> }> };
    expect(hybrid.mode).toBe('hybrid');
    expect(hybrid.hits[0]!.source).toMatch(/wind-turbine-maintenance\.md$/);
    expect(hybrid.hits[0]!.scores.keyword).toBeGreaterThan(0);
    expect(hybrid.hits[0]!.scores.vector).toBeGreaterThan(0);
    expect(hybrid.hits[0]!.scores.fused).toBeGreaterThan(0);
    const vector = JSON.parse((await runCli(['search', 'what to do when it is very windy', '--db', db, '--json', '--mode', 'vector', '-k', '1'])).stdout) as { hits: JsonHit[] };
    expect(vector.hits[0]!.source).toMatch(/faq\.html$/);
    const chinese = JSON.parse((await runCli(['search', '齿轮油多久更换一次', '--db', db, '--json'])).stdout) as { notes: string[]; hits: JsonHit[] };
    expect(chinese.notes.join(' ')).toMatch(/does not represent the query's language/);
    expect(chinese.hits[0]!.source).toMatch(/风力发电机维护手册\.md$/);
  });

  it('prints readable results without --json', async () => {
    const r = await runCli(['search', 'blade erosion', '--db', db]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^1\. .*wind-turbine-maintenance\.md \(.*Blades\)/m);
  });

  it('lists collections, documents and stats, with and without --json', async () => {
    const cols = JSON.parse((await runCli(['collections', '--db', db, '--json'])).stdout) as { collections: Array<{ name: string; documentCount: number }> };
    expect(cols.collections).toEqual([expect.objectContaining({ name: 'default', documentCount: 4 })]);
    const docs = JSON.parse((await runCli(['docs', '--db', db, '--json'])).stdout) as { documents: Array<{ type: string }> };
    expect(docs.documents.map((d) => d.type).sort()).toEqual(['csv', 'html', 'markdown', 'markdown']);
    const stats = JSON.parse((await runCli(['stats', '--db', db, '--json'])).stdout) as { documents: number; chunks: number };
    expect(stats.documents).toBe(4);
    expect(stats.chunks).toBeGreaterThan(4);
    expect((await runCli(['stats', '--db', db])).stdout).toMatch(/Documents:\s+4/);
  });

  it('re-ingesting unchanged files does nothing; a changed file is replaced; --prune removes deleted ones', async () => {
    const local = join(dir, 'lore2.db');
    const folder = join(dir, 'work');
    cpSync(EXAMPLES, folder, { recursive: true });
    await runCli(['ingest', folder, '--db', local, '--json']);
    const again = JSON.parse((await runCli(['ingest', folder, '--db', local, '--json'])).stdout) as Record<string, number>;
    expect(again).toMatchObject({ added: 0, updated: 0, unchanged: 4 });
    writeFileSync(join(folder, 'faq.html'), '<html><body><main><h1>FAQ</h1><p>Completely new answer about hydrogen.</p></main></body></html>');
    rmSync(join(folder, 'spare-parts.csv'));
    const changed = JSON.parse((await runCli(['ingest', folder, '--db', local, '--json', '--prune'])).stdout) as Record<string, number>;
    expect(changed).toMatchObject({ added: 0, updated: 1, unchanged: 2, pruned: 1 });
    const hits = JSON.parse((await runCli(['search', 'hydrogen', '--db', local, '--json', '--mode', 'keyword'])).stdout) as { hits: JsonHit[] };
    expect(hits.hits).toHaveLength(1);
    const old = JSON.parse((await runCli(['search', 'storm', '--db', local, '--json', '--mode', 'keyword'])).stdout) as { hits: JsonHit[] };
    expect(old.hits).toHaveLength(0);
  });

  it('removes a document by id and a collection by name', async () => {
    const local = join(dir, 'lore3.db');
    await runCli(['ingest', join(dir, 'examples'), '--db', local, '--collection', 'turbines']);
    const docs = JSON.parse((await runCli(['docs', '--db', local, '--json'])).stdout) as { documents: Array<{ uid: string; source: string }> };
    const target = docs.documents[0]!;
    const rm = await runCli(['rm', target.uid, '--db', local, '--json']);
    expect(rm.code).toBe(0);
    expect(JSON.parse(rm.stdout)).toEqual({ removed: [{ kind: 'document', name: target.source }] });
    expect((await runCli(['rm', 'turbines', '--db', local])).stdout).toMatch(/Removed collection "turbines"/);
    const missing = await runCli(['rm', 'nothing-here', '--db', local]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/Nothing named "nothing-here"/);
  });

  it('reports bad files one line each, ingests the rest, and exits 1', async () => {
    const bad = join(dir, 'bad');
    cpSync(join(EXAMPLES, 'faq.html'), join(bad, 'good.html'), { recursive: true });
    writeFileSync(join(bad, 'broken.pdf'), '%PDF-1.4\n%garbage that is not a pdf at all\n');
    writeFileSync(join(bad, 'empty.txt'), '');
    writeFileSync(join(bad, 'binary.bin'), Buffer.from([0, 1, 2, 3, 0, 255, 254, 0, 7, 8, 0, 0, 1, 2]));
    writeFileSync(join(bad, 'invalid.json'), '{"title": "x", "text": ');
    writeFileSync(join(bad, 'big.txt'), 'word '.repeat(5000));
    const r = await runCli(['ingest', bad, join(dir, 'does-not-exist'), '--db', join(dir, 'bad.db'), '--max-file-size', '10KB']);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    for (const name of ['broken.pdf', 'empty.txt', 'binary.bin', 'invalid.json', 'big.txt', 'does-not-exist']) {
      expect(lines.filter((l) => l.includes(name))).toHaveLength(1);
    }
    expect(r.stderr).toMatch(/big\.txt.*over the 10 KB limit.*--max-file-size/);
    expect(r.stdout).toMatch(/1 added/);
    const json = await runCli(['ingest', bad, '--db', join(dir, 'bad2.db'), '--json', '--max-file-size', '10KB']);
    const report = JSON.parse(json.stdout) as { failed: number; added: number; errors: Array<{ code: string; source: string }> };
    expect(report.added).toBe(1);
    expect(report.failed).toBe(5);
    expect(report.errors.map((e) => e.code).sort()).toEqual(['BINARY_FILE', 'CORRUPT_FILE', 'EMPTY_FILE', 'FILE_TOO_LARGE', 'PARSE_ERROR']);
  });

  it('refuses a database that is not Lore’s, or is from a newer Lore, with exit code 4', async () => {
    const notLore = join(dir, 'other.db');
    const raw = new Database(notLore);
    raw.exec('CREATE TABLE invoices (id INTEGER)');
    raw.close();
    const r = await runCli(['search', 'x', '--db', notLore]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/other\.db is not a Lore database/);
    const text = join(dir, 'text.db');
    writeFileSync(text, 'hello, this is a text file and not a database at all, sorry. '.repeat(10));
    expect((await runCli(['stats', '--db', text])).code).toBe(4);
    const newer = join(dir, 'newer.db');
    await runCli(['ingest', join(EXAMPLES, 'faq.html'), '--db', newer]);
    const w = new Database(newer);
    w.prepare("UPDATE lore_meta SET value = '99' WHERE key = 'schema_version'").run();
    w.close();
    const n = await runCli(['ingest', join(EXAMPLES, 'faq.html'), '--db', newer, '--json']);
    expect(n.code).toBe(4);
    expect(JSON.parse(n.stdout).error.code).toBe('DATABASE_TOO_NEW');
  });

  it('says how to start when there is no database yet', async () => {
    const r = await runCli(['search', 'x'], { cwd: mkdtempSync(join(tmpdir(), 'lore-empty-')) });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/lore ingest/);
  });

  it('has --help for every command and exits 2 on bad usage', async () => {
    for (const command of [['ingest'], ['search'], ['ask'], ['collections'], ['docs'], ['rm'], ['stats'], ['reindex'], ['models'], ['worker'], ['eval', 'retrieval']]) {
      const r = await runCli([...command, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Usage: lore/);
      expect(r.stdout).toMatch(/--json/);
    }
    expect((await runCli(['--help'])).stdout).toMatch(/ingest/);
    expect((await runCli(['search'])).code).toBe(2);
    expect((await runCli(['search', 'x', '--bogus'])).code).toBe(2);
    expect((await runCli(['ingest', EXAMPLES, '--chunk-size', 'abc'])).code).toBe(2);
  });

  it('honours LORE_DB', async () => {
    const envDb = join(dir, 'env.db');
    await runCli(['ingest', join(EXAMPLES, 'faq.html')], { env: { LORE_DB: envDb } });
    const r = await runCli(['stats', '--json'], { env: { LORE_DB: envDb } });
    expect(JSON.parse(r.stdout).path).toBe(envDb);
  });
});
