import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../../ingest/ingest.js';
import { resolveLanguageModel } from '../../models/resolve-model.js';
import { startScriptedOpenAIServer, type ScriptedOpenAIServer } from '../../models/test-support/scripted-openai-server.js';
import type { LanguageModel } from '../../spec/models.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { search } from '../search.js';
import { describeCollectionFields, resolveSourceGlob, selfQuery, validateSelfQuery } from './index.js';
import { asAsyncStore } from '../../store/contract/async-store.js';

const jsonl = (records: object[]) => records.map((r) => JSON.stringify(r)).join('\n') + '\n';

/** The model's replies by question: what a capable model would propose, including fields it made up. */
const DRAFTS: Record<string, object> = {
  'turbine reports from 2023 in the Shanghai folder': {
    query: 'turbine reports',
    source: 'Shanghai',
    type: 'JSONL',
    metadata: [
      { field: 'year', value: 2023 },
      { field: 'site', value: 'shanghai' },
      { field: 'inspector', value: 'Wang' },
    ],
  },
  '上海文件夹里2023年的风机巡检报告': {
    query: '风机巡检报告',
    source: '**/shanghai/**',
    type: null,
    metadata: [
      { field: 'Year', value: '2023' },
      { field: '风场', value: '东海' },
    ],
  },
  'reports from 1999 in Tokyo as PDF': { query: 'reports', source: 'Tokyo', type: 'pdf', metadata: [{ field: 'year', value: 1999 }, { field: 'encoding', value: 'utf-8' }] },
};

describe('self-query over a real store', () => {
  let server: ScriptedOpenAIServer;
  let store: SqliteStore;
  let model: LanguageModel;

  beforeAll(async () => {
    server = await startScriptedOpenAIServer({
      reply: ({ messages }) => {
        const question = /Question: (.*)$/m.exec(messages.at(-1)?.content ?? '')?.[1] ?? '';
        const draft = DRAFTS[question];
        return draft ? JSON.stringify(draft) : 'I would search for reports.';
      },
    });
    model = resolveLanguageModel({ spec: `openai-compatible:${server.baseUrl}#scripted` });
    const root = mkdtempSync(join(tmpdir(), 'lore-self-query-'));
    mkdirSync(join(root, 'reports', 'Shanghai'), { recursive: true });
    mkdirSync(join(root, 'reports', 'Berlin'), { recursive: true });
    writeFileSync(
      join(root, 'reports', 'Shanghai', 'inspections.jsonl'),
      jsonl([
        { id: 'sh-1', text: 'Turbine T3 inspection report: gearbox oil replaced, blades eroded.', year: 2023, site: 'Shanghai', turbine: 'T3' },
        { id: 'sh-2', text: 'Turbine T4 inspection report: yaw brake pads worn.', year: 2022, site: 'Shanghai', turbine: 'T4' },
        { id: 'sh-3', text: '风机T5巡检报告：齿轮油已更换，叶片前缘有侵蚀。', year: 2023, site: 'Shanghai', turbine: 'T5' },
        { id: 'sh-4', text: '风机T6巡检报告：偏航刹车片磨损。', year: 2022, site: 'Shanghai', turbine: 'T6' },
      ]),
    );
    writeFileSync(
      join(root, 'reports', 'Berlin', 'inspections.jsonl'),
      jsonl([
        { id: 'be-1', text: 'Turbine B1 inspection report: gearbox oil temperature high.', year: 2023, site: 'Berlin', turbine: 'B1' },
        { id: 'be-2', text: '风机B2巡检报告：一切正常。', year: 2023, site: 'Berlin', turbine: 'B2' },
      ]),
    );
    store = new SqliteStore({ path: join(root, 'lore.db') });
    await ingest({ store: asAsyncStore(store), paths: [root], collection: 'reports', loaderOptions: { textFields: ['text'], idField: 'id' } });
  });
  afterAll(async () => {
    store.close();
    await server.close();
  });

  it('lists the fields a collection can be filtered on, without the loaders’ bookkeeping', async () => {
    const fields = await describeCollectionFields({ store: asAsyncStore(store), collection: 'reports' });
    expect(fields.fields.map((f) => f.name).sort()).toEqual(['id', 'site', 'turbine', 'year']);
    expect(fields.fields.find((f) => f.name === 'year')).toMatchObject({ kind: 'number', level: 'chunk', complete: true, distinct: 2 });
    expect(fields.types).toEqual(['jsonl']);
    expect(fields.folders.sort()).toEqual(['reports/Berlin', 'reports/Shanghai']);
  });

  it('builds a valid filter, drops an invented field, and the filtered search honours it', async () => {
    const result = await selfQuery({ question: 'turbine reports from 2023 in the Shanghai folder', model, store: asAsyncStore(store), collection: 'reports' });
    expect(result.query).toBe('turbine reports');
    expect(result.filter).toEqual({ collection: 'reports', source: '**/Shanghai/**', type: 'jsonl', metadata: { year: 2023, site: 'Shanghai' } });
    expect(result.notes.some((n) => /unknown field "inspector" dropped/.test(n))).toBe(true);
    // The model saw the real fields with examples and the folders.
    const prompt = server.requests.at(-1)!.messages.at(-1)!.content!;
    expect(prompt).toMatch(/- year \(number; e\.g\. 2023, 2022\)/);
    expect(prompt).toMatch(/Folders: .*reports\/Shanghai/);
    expect(prompt).not.toMatch(/ingestKey|encoding/);

    const hits = await search({ store: asAsyncStore(store), query: result.query, filter: result.filter, mode: 'keyword', k: 10 });
    expect(hits.map((h) => h.metadata['id'])).toEqual(['sh-1']);
  });

  it('reads a Chinese question: repairs the folder’s case and the field’s spelling, drops the invented field', async () => {
    const result = await selfQuery({ question: '上海文件夹里2023年的风机巡检报告', model, store: asAsyncStore(store), collection: 'reports' });
    expect(result.query).toBe('风机巡检报告');
    expect(result.filter).toEqual({ collection: 'reports', source: '**/Shanghai/**', metadata: { year: 2023 } });
    expect(result.notes.join('\n')).toMatch(/unknown field "风场" dropped/);
    const hits = await search({ store: asAsyncStore(store), query: result.query, filter: result.filter, mode: 'keyword', k: 10 });
    expect(hits.map((h) => h.metadata['id'])).toEqual(['sh-3']);
  });

  it('drops conditions the collection cannot satisfy, each with a note', async () => {
    const result = await selfQuery({ question: 'reports from 1999 in Tokyo as PDF', model, store: asAsyncStore(store), collection: 'reports' });
    expect(result.filter).toEqual({ collection: 'reports' });
    const notes = result.notes.join('\n');
    expect(notes).toMatch(/year = 1999 dropped: no document in the collection has it/);
    expect(notes).toMatch(/unknown field "encoding"/);
    expect(notes).toMatch(/type "pdf" dropped/);
    expect(notes).toMatch(/source "Tokyo" matches no document/);
  });

  it('a reply that is not JSON leaves the question unfiltered', async () => {
    const result = await selfQuery({ question: 'anything else', model, store: asAsyncStore(store), collection: 'reports' });
    expect(result).toMatchObject({ query: 'anything else', filter: { collection: 'reports' } });
    expect(result.notes[0]).toMatch(/no usable filter/);
  });

  it('validates without a model too: kinds are converted, malformed entries skipped', async () => {
    const fields = await describeCollectionFields({ store: asAsyncStore(store), collection: 'reports' });
    const checked = validateSelfQuery({
      question: 'q',
      fields,
      draft: { query: '  ', source: null, type: null, metadata: [null, { field: 'turbine', value: 'T3' }, { field: 'year', value: 'last year' }] },
    });
    expect(checked.query).toBe('q');
    expect(checked.filter).toEqual({ collection: 'reports', metadata: { turbine: 'T3' } });
    expect(checked.notes.join('\n')).toMatch(/malformed condition[\s\S]*year = "last year" dropped: not a number/);
    expect(resolveSourceGlob('*.jsonl', fields.sources)).toBe('*.jsonl');
    expect(resolveSourceGlob('berlin', fields.sources)).toBe('**/Berlin/**');
  });
});
