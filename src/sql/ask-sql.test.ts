import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAICompatibleModel } from '../models/providers/openai-compatible.js';
import { TOOL_NAME_PATTERN } from '../spec/tool.js';
import { askSql } from './ask-sql.js';
import { executeReadOnly } from './execute-read-only.js';
import { ordersRows, sameResult } from './execution-accuracy.js';
import { introspectSchema } from './introspect-schema.js';
import { openSqlDatabase } from './open-sql-database.js';
import { renderSchema } from './render-schema.js';
import { selectTables } from './select-tables.js';
import type { SqlDatabase } from './sql-database.js';
import type { SqlSchema, SqlTable } from './sql-schema.js';
import { createSqlQueryTool } from './sql-query-tool.js';
import { REPLY_SHAPES, startGoldSqlModel, type GoldSqlModel } from './test-support/gold-sql-model.js';
import { startWindFarmPostgres, type WindFarmPostgres } from './test-support/pglite-server.js';
import { createWindFarmSqlite, WIND_FARM_DESCRIPTIONS } from './test-support/wind-farm.js';
import { goldSql, loadWindFarmQuestions } from './test-support/wind-farm-questions.js';

const questions = loadWindFarmQuestions();
const byId = (id: string) => questions.find((q) => q.id === id)!;

describe('text-to-SQL on SQLite and PostgreSQL with a scripted model that knows the gold SQL', () => {
  let dir: string;
  let pgServer: WindFarmPostgres;
  let model: GoldSqlModel;
  const dbs: Record<'sqlite' | 'postgres', SqlDatabase> = {} as never;
  const schemas: Record<'sqlite' | 'postgres', SqlSchema> = {} as never;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lore-sql-ask-'));
    createWindFarmSqlite(join(dir, 'wind.db'));
    pgServer = await startWindFarmPostgres();
    dbs.sqlite = await openSqlDatabase({ url: `sqlite:${join(dir, 'wind.db')}` });
    dbs.postgres = await openSqlDatabase({ url: pgServer.url });
    // SQLite has no comments: the descriptions come from the sidecar option; PostgreSQL's from COMMENT ON.
    schemas.sqlite = await introspectSchema({ db: dbs.sqlite, descriptions: WIND_FARM_DESCRIPTIONS });
    schemas.postgres = await introspectSchema({ db: dbs.postgres });
    model = await startGoldSqlModel({
      questions,
      firstReply: {
        q10: (q, dialect) => goldSql(q, dialect).replace('result', 'outcome'),
        q17: () => 'I think you should count the open orders.',
        q24: () => '```sql\nDROP TABLE sites\n```',
        q30: () => JSON.stringify({ sql: 'WITH gone AS (DELETE FROM parts RETURNING *) SELECT count(*) FROM gone' }),
        q35: () => "SELECT count(DISTINCT modle) FROM turbine",
      },
    });
  });
  afterAll(async () => {
    await dbs.sqlite?.close();
    await dbs.postgres?.close();
    await pgServer?.close();
    await model?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['sqlite', 'postgres'] as const)('reads tables, keys, types, comments and sample values (%s)', (dialect) => {
    const schema = schemas[dialect];
    expect(schema.tables.map((t) => t.name).sort()).toEqual(['inspections', 'orders', 'parts', 'sites', 'technicians', 'turbines']);
    const turbines = schema.tables.find((t) => t.name === 'turbines')!;
    expect(turbines.primaryKey).toEqual(['id']);
    expect(turbines.foreignKeys).toEqual([{ columns: ['site_id'], table: 'sites', references: ['id'] }]);
    expect(turbines.description).toBe(WIND_FARM_DESCRIPTIONS['turbines']);
    const status = turbines.columns.find((c) => c.name === 'status')!;
    expect(status).toMatchObject({ nullable: false, description: WIND_FARM_DESCRIPTIONS['turbines.status'], samples: ['operating', 'maintenance', 'decommissioned'] });
    const orders = schema.tables.find((t) => t.name === 'orders')!;
    expect(orders.foreignKeys.map((k) => k.table).sort()).toEqual(['parts', 'turbines']);
    expect(orders.columns.find((c) => c.name === 'turbine_id')!.nullable).toBe(true);
    if (dialect === 'postgres') expect(schema.tables.find((t) => t.name === 'parts')!.columns.find((c) => c.name === 'unit_price')!.type).toBe('numeric(10,2)');
    else expect(schema.tables.find((t) => t.name === 'sites')!.rowCount).toBe(6);
    const text = renderSchema({ schema });
    expect(text).toContain('site_id integer NOT NULL REFERENCES sites(id)'.replace('integer', dialect === 'sqlite' ? 'INTEGER' : 'integer'));
    expect(text).toContain("-- operating, maintenance or decommissioned; e.g. 'operating', 'maintenance', 'decommissioned'");
    expect(text).toMatch(/name (TEXT|text) NOT NULL, -- e\.g\. '张北风电场', '达坂城风电场', 'Hornsea Two'/);
  });

  it.each(['sqlite', 'postgres'] as const)('answers every question of the test set correctly: execution accuracy 100%% (%s)', async (dialect) => {
    const db = dbs[dialect];
    const llm = createOpenAICompatibleModel({ baseUrl: model.baseUrl, model: 'gold' });
    const clean = questions.filter((q) => !['q10', 'q17', 'q24', 'q30', 'q35'].includes(q.id));
    let correct = 0;
    const wrong: string[] = [];
    for (const q of clean) {
      const result = await askSql({ question: q.question, db, model: llm, schema: schemas[dialect] });
      const gold = await executeReadOnly({ db, sql: goldSql(q, dialect) });
      if (sameResult({ gold, predicted: result, ordered: ordersRows(gold.sql) })) correct++;
      else wrong.push(q.id);
      expect(result.attempts).toBe(1);
      expect(result.answer).toMatch(/^The database returned \d+ row\(s\)/);
      expect(result.usage.inputTokens).toBeGreaterThan(0);
    }
    expect(wrong).toEqual([]);
    expect(correct).toBe(clean.length);
    expect(clean.length).toBeGreaterThanOrEqual(40);
    // Every reply shape was read: JSON, fenced, bare, after prose, after <think>, labelled…
    expect(new Set(clean.map((q) => questions.indexOf(q) % REPLY_SHAPES.length)).size).toBe(REPLY_SHAPES.length);
  });

  it.each(['sqlite', 'postgres'] as const)('repairs once: a failing query, a reply without SQL, a refused write, a write hidden in a CTE (%s)', async (dialect) => {
    const db = dbs[dialect];
    const llm = createOpenAICompatibleModel({ baseUrl: model.baseUrl, model: 'gold' });
    for (const [id, kind, error] of [
      ['q10', 'failed', /outcome/],
      ['q17', 'no-sql', /no SQL/],
      ['q24', 'refused', /only SELECT/],
      ['q30', 'refused', /DELETE is not allowed/],
    ] as const) {
      const q = byId(id);
      const requestsBefore = model.requests.length;
      const result = await askSql({ question: q.question, db, model: llm, schema: schemas[dialect], answer: false });
      expect(result.attempts, id).toBe(2);
      expect(result.failures, id).toEqual([expect.objectContaining({ kind, error: expect.stringMatching(error) })]);
      const gold = await executeReadOnly({ db, sql: goldSql(q, dialect) });
      expect(sameResult({ gold, predicted: result, ordered: ordersRows(gold.sql) }), id).toBe(true);
      // The repair turn showed the model what went wrong.
      const repair = model.requests.slice(requestsBefore)[1]!;
      expect(repair.messages.at(-1)!.content).toMatch(/^That query failed:/);
      expect(repair.messages.at(-1)!.content).toMatch(error);
    }
  });

  it('gives up after one repair, naming the last query and its error', async () => {
    const llm = createOpenAICompatibleModel({ baseUrl: model.baseUrl, model: 'gold' });
    await expect(askSql({ question: 'What is the meaning of life?', db: dbs.sqlite, model: llm, schema: schemas.sqlite })).rejects.toMatchObject({
      code: 'PARSE_ERROR',
      message: expect.stringMatching(/wrote no query that runs in 2 attempts/),
    });
  });

  it('serves the database as a read-only agent tool', async () => {
    const tool = await createSqlQueryTool({ db: dbs.sqlite, descriptions: WIND_FARM_DESCRIPTIONS, maxRows: 5 });
    expect(tool.name).toMatch(TOOL_NAME_PATTERN);
    expect(tool.risk).toBe('read');
    expect(tool.description).toContain('CREATE TABLE turbines');
    expect((tool.parameters as { safeParse(v: unknown): { success: boolean } }).safeParse({ sql: 'SELECT 1' }).success).toBe(true);
    const context = { signal: new AbortController().signal, callId: 'c1' };
    const ok = await tool.execute({ sql: 'SELECT serial, status FROM turbines ORDER BY id' }, context);
    expect(typeof ok === 'object' && ok.isError).toBeFalsy();
    const value = ok as { content: string; data: { rows: unknown[]; truncated: boolean } };
    expect(value.content).toMatch(/^5 rows \(more rows matched/);
    expect(value.content).toContain('| serial | status |');
    expect(value.data).toMatchObject({ truncated: true });
    expect(value.data.rows).toHaveLength(5);
    const refused = await tool.execute({ sql: 'DROP TABLE turbines' }, context);
    expect(refused).toEqual({ content: expect.stringMatching(/^Refused: only SELECT/), isError: true });
    const failed = await tool.execute({ sql: 'SELECT nope FROM turbines' }, context);
    expect(failed).toEqual({ content: expect.stringMatching(/no such column: nope/), isError: true });
  });
});

describe('selectTables', () => {
  const table = (name: string, columns: string[], keys: Array<[string, string]> = [], description?: string): SqlTable => ({
    name,
    kind: 'table',
    ...(description ? { description } : {}),
    columns: ['id', ...columns].map((c) => ({ name: c, type: 'INTEGER', nullable: true, samples: [] })),
    primaryKey: ['id'],
    foreignKeys: keys.map(([column, target]) => ({ columns: [column], table: target, references: ['id'] })),
  });
  // A large schema: the wind-farm tables among 120 unrelated ones.
  const filler = Array.from({ length: 120 }, (_, i) => table(`ledger_${i}`, ['amount', 'posted_on', `account_${i}`, 'memo', 'currency', 'fx_rate']));
  const schema: SqlSchema = {
    dialect: 'sqlite',
    tables: [
      ...filler.slice(0, 60),
      table('sites', ['name', 'country']),
      table('turbines', ['site_id', 'serial', 'status'], [['site_id', 'sites']]),
      table('inspections', ['turbine_id', 'technician_id', 'kind', 'result'], [['turbine_id', 'turbines'], ['technician_id', 'technicians']]),
      table('technicians', ['name', 'team'], [], '现场技术员 field technicians'),
      ...filler.slice(60),
    ],
  };

  it('keeps the whole schema when it fits', () => {
    const small: SqlSchema = { dialect: 'sqlite', tables: schema.tables.slice(60, 64) };
    expect(selectTables({ schema: small, question: 'anything' }).tables).toHaveLength(4);
  });

  it('picks the tables the question names, and the tables that join them, within the budget', () => {
    const picked = selectTables({ schema, question: 'Which turbines had a major issue in a blade inspection, and who inspected them?', maxTokens: 400 });
    expect(picked.tables.map((t) => t.name)).toEqual(expect.arrayContaining(['turbines', 'inspections']));
    expect(picked.tokens).toBeLessThanOrEqual(400);
    expect(picked.omitted.length).toBeGreaterThan(100);
    // The technicians table comes along through its foreign key from inspections, and sites through turbines.
    expect(picked.tables.map((t) => t.name)).toEqual(expect.arrayContaining(['technicians', 'sites']));
  });

  it('matches a Chinese question through descriptions', () => {
    const picked = selectTables({ schema, question: '哪些技术员在北方团队？', maxTokens: 100 });
    expect(picked.tables.map((t) => t.name)).toContain('technicians');
  });
});
