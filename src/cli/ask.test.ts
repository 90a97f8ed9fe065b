import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Answer } from '../rag/answer.js';
import { runCli } from './test-support/run-cli.js';

const EXAMPLES = fileURLToPath(new URL('../../examples', import.meta.url));

describe('lore ask', () => {
  let dir: string;
  let db: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lore-ask-'));
    cpSync(EXAMPLES, join(dir, 'examples'), { recursive: true });
    db = join(dir, 'lore.db');
    const result = await runCli(['ingest', 'examples', '--db', db], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answers an English question with the sentence and a citation with its heading path', async () => {
    const r = await runCli(['ask', 'How often should the gearbox oil be replaced?', '--db', db], { cwd: dir });
    expect(r.code).toBe(0);
    const [text, blank, ...citations] = r.stdout.trimEnd().split('\n');
    expect(text).toContain('replace the oil every 18 months');
    expect(text).toMatch(/\[1\]/);
    expect(blank).toBe('');
    expect(citations[0]).toMatch(/^\[1\] examples\/wind-turbine-maintenance\.md \(Wind turbine maintenance guide › Gearbox\) “.*18 months.*”$/);
    expect(r.stderr).toMatch(/extractive answer/);
    expect(r.stderr).toMatch(/--model/);
  });

  it('answers a Chinese question', async () => {
    const r = await runCli(['ask', '齿轮油多久更换一次？', '--db', db, '--sentences', '1'], { cwd: dir });
    expect(r.code).toBe(0);
    const [text, , citation] = r.stdout.trimEnd().split('\n');
    expect(text).toBe('每个月检查一次油位，每十八个月更换一次齿轮油。[1]');
    expect(citation).toMatch(/^\[1\] examples\/风力发电机维护手册\.md \(风力发电机维护手册 › 齿轮箱\) “每个月检查一次油位，每十八个月更换一次齿轮油。”$/);
  });

  it('prints the Answer object with --json; citations quote the document exactly', async () => {
    const r = await runCli(['ask', 'How often should the gearbox oil be replaced?', '--db', db, '--json', '-k', '3']);
    expect(r.code).toBe(0);
    const answer = JSON.parse(r.stdout) as Answer;
    expect(answer).toMatchObject({ question: 'How often should the gearbox oil be replaced?', mode: 'extractive' });
    expect(answer.text).toContain('18 months');
    expect(answer.note).toMatch(/--model/);
    expect(answer.citations.length).toBeGreaterThan(0);
    const c = answer.citations[0]!;
    expect(Object.keys(c).sort()).toEqual(['chunkId', 'collection', 'documentId', 'end', 'headingPath', 'n', 'page', 'quote', 'score', 'source', 'start', 'title'].sort());
    expect(c).toMatchObject({ n: 1, collection: 'default', headingPath: ['Wind turbine maintenance guide', 'Gearbox'], page: null });
    expect(c.source).toMatch(/wind-turbine-maintenance\.md$/);
    // The loader hands Markdown over as it is, so the offsets point into the file's text.
    expect(readFileSync(c.source, 'utf8').slice(c.start, c.end)).toBe(c.quote);
    expect(answer.sentences!.every((s) => s.citation >= 1 && s.citation <= answer.citations.length)).toBe(true);
  });

  it('filters like search, and says when nothing answers', async () => {
    const filtered = JSON.parse((await runCli(['ask', 'How often should the gearbox oil be replaced?', '--db', db, '--json', '--type', 'csv'])).stdout) as Answer;
    expect(filtered.citations.every((c) => c.source.endsWith('.csv'))).toBe(true);
    const none = await runCli(['ask', 'What is the capital of France?', '--db', db]);
    expect(none.code).toBe(0);
    expect(none.stdout.trim()).toBe('No passage in your documents answers this question.');
    const noneJson = JSON.parse((await runCli(['ask', 'What is the capital of France?', '--db', db, '--json'])).stdout) as Answer;
    expect(noneJson.citations).toEqual([]);
  });

  it('rejects bad usage', async () => {
    expect((await runCli(['ask', 'oil', '--db', db, '--sentences', '0'])).code).toBe(2);
    expect((await runCli(['ask', '   ', '--db', db])).code).toBe(2);
  });

  it('has help with English and Chinese examples', async () => {
    const r = await runCli(['ask', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: lore ask \[options\] <question>/);
    expect(r.stdout).toContain('--sentences <n>');
    expect(r.stdout).toContain('lore ask "How often should the gearbox oil be replaced?"');
    expect(r.stdout).toContain('lore ask "齿轮油多久更换一次？"');
    expect((await runCli(['--help'])).stdout).toMatch(/^\s+ask \[options\] <question>/m);
  });
});
