import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGoldSqlModel, type GoldSqlModel } from '../sql/test-support/gold-sql-model.js';
import { startWindFarmPostgres, type WindFarmPostgres } from '../sql/test-support/pglite-server.js';
import { createWindFarmSqlite, WIND_FARM_DESCRIPTIONS } from '../sql/test-support/wind-farm.js';
import { loadWindFarmQuestions } from '../sql/test-support/wind-farm-questions.js';
import { runCli } from './test-support/run-cli.js';

const questions = loadWindFarmQuestions();
const question = (id: string) => questions.find((q) => q.id === id)!.question;

/** Terminal columns: CJK characters take two. */
const width = (text: string) => [...text].reduce((w, ch) => w + (/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ? 2 : 1), 0);

describe('lore sql', () => {
  let dir: string;
  let db: string;
  let model: GoldSqlModel;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lore-cli-sql-'));
    db = join(dir, 'wind.db');
    createWindFarmSqlite(db);
    model = await startGoldSqlModel({ questions });
  });
  afterAll(async () => {
    await model?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers with the SQL and the rows as JSON', async () => {
    const r = await runCli(['sql', question('q45'), '--db', `sqlite:${db}`, '--model', model.spec, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as { question: string; sql: string; columns: string[]; rows: unknown[][]; truncated: boolean; answer: string; attempts: number; usage: { inputTokens: number } };
    expect(result).toMatchObject({ question: question('q45'), rows: [[3]], truncated: false, attempts: 1, answer: 'The database returned 1 row(s); the first is: 3.' });
    expect(result.sql).toMatch(/^SELECT count\(\*\) FROM turbines t JOIN sites s/);
    expect(result.usage.inputTokens).toBeGreaterThan(0);
  });

  it('prints the answer, the SQL and an aligned table, Chinese names included', async () => {
    const r = await runCli(['sql', question('q04'), '--db', db, '--model', model.spec]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('The database returned 6 row(s); the first is: 张北风电场, 6.');
    expect(lines[2]).toMatch(/^ {2}SELECT s\.name, count\(t\.id\) AS turbines FROM sites s/);
    const header = lines.findIndex((l) => /^name\s+turbines$/.test(l));
    expect(header).toBeGreaterThan(0);
    expect(lines[header + 1]).toMatch(/^─+$/);
    const rows = lines.slice(header + 2, header + 8);
    expect(rows[0]).toMatch(/^张北风电场\s+6$/);
    // Every count starts at the same terminal column, whatever the script of the name before it.
    const column = width(lines[header]!.slice(0, lines[header]!.indexOf('turbines')));
    for (const row of rows) expect(width(row.replace(/\d+$/, ''))).toBe(column);
    expect(lines).toContain('(6 rows)');
    expect(r.stderr).toMatch(/Query written by openai-compatible:\S+#gold · 1 attempt · \d+ input \+ \d+ output tokens/);
  });

  it('caps rows with --max-rows and says so', async () => {
    const r = await runCli(['sql', question('q21'), '--db', `sqlite:${db}`, '--model', model.spec, '--max-rows', '3', '--no-answer']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\(3 rows; more matched — only the first 3 are shown \(--max-rows\)\)/);
    expect(r.stdout).not.toMatch(/The database returned/);
  });

  it('says clearly that it needs a model, and which database to query', async () => {
    const noModel = await runCli(['sql', 'How many sites?', '--db', `sqlite:${db}`], { env: { LORE_MODEL: '' } });
    expect(noModel.code).toBe(2);
    expect(noModel.stderr).toMatch(/Text-to-SQL needs a language model to write the query — pass --model/);
    // LORE_DB names Lore's own index, never the database to query.
    const noDb = await runCli(['sql', 'How many sites?', '--model', model.spec], { env: { LORE_DB: db } });
    expect(noDb.code).toBe(2);
    expect(noDb.stderr).toMatch(/Name the database to query/);
    const missing = await runCli(['sql', 'How many sites?', '--db', `sqlite:${join(dir, 'none.db')}`, '--model', model.spec, '--json']);
    expect(missing.code).toBe(3);
    expect(JSON.parse(missing.stdout)).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('shows the schema the model sees with --schema, descriptions from --describe', async () => {
    const describe = join(dir, 'describe.json');
    writeFileSync(describe, JSON.stringify(WIND_FARM_DESCRIPTIONS));
    const r = await runCli(['sql', '--schema', '--db', `sqlite:${db}`, '--describe', describe]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('CREATE TABLE turbines ( -- Individual wind turbines (风机), each at one site; 32 rows');
    expect(r.stdout).toContain('  site_id INTEGER NOT NULL REFERENCES sites(id),');
  });

  it('fails with exit 1 and the last query when the model never writes one that runs', async () => {
    const r = await runCli(['sql', 'What is the meaning of life?', '--db', `sqlite:${db}`, '--model', model.spec]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/wrote no query that runs in 2 attempts/);
  });

  describe('on PostgreSQL', () => {
    let pg: WindFarmPostgres;
    beforeAll(async () => {
      pg = await startWindFarmPostgres();
    });
    afterAll(async () => {
      await pg?.close();
    });

    it('answers over the wire protocol', async () => {
      const r = await runCli(['sql', question('q13'), '--db', pg.url, '--model', model.spec, '--json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const result = JSON.parse(r.stdout) as { sql: string; rows: unknown[][]; dialect: string };
      expect(result.dialect).toBe('postgres');
      expect(result.sql).toMatch(/extract\(year FROM inspected_on\)::int/);
      expect(result.rows).toEqual([[2022, 37], [2023, 33], [2024, 20]]);
    });
  });
});
