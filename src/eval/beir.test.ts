import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoreError, type LoreError } from '../spec/errors.js';
import { readBeirDataset } from './beir.js';

let root: string;

interface FolderFiles {
  corpus?: string;
  queries?: string;
  qrels?: string;
}

async function writeFolder(name: string, files: FolderFiles): Promise<string> {
  const dir = join(root, name);
  await mkdir(join(dir, 'qrels'), { recursive: true });
  if (files.corpus !== undefined) await writeFile(join(dir, 'corpus.jsonl'), files.corpus);
  if (files.queries !== undefined) await writeFile(join(dir, 'queries.jsonl'), files.queries);
  if (files.qrels !== undefined) await writeFile(join(dir, 'qrels', 'test.tsv'), files.qrels);
  return dir;
}

const corpus = [
  '{"_id": "d1", "title": "Wings", "text": "lift on a wing"}',
  '{"_id": "d2", "text": "no title field here"}',
  '{"_id": 3, "title": "", "text": "numeric id"}',
  '',
].join('\n');
const queries = [
  '{"_id": "q1", "text": "wing lift"}',
  '{"_id": "q2", "text": "only non-relevant judgments"}',
  '{"_id": "q3", "text": "no judgments at all"}',
  '{"_id": "q4", "text": "judged doc outside corpus"}',
].join('\n');
const qrels = ['query-id\tcorpus-id\tscore', 'q1\td1\t2', 'q1\t3\t1', 'q1\td2\t0', 'q2\td2\t0', 'q4\tgone\t1', 'q9\td1\t1', ''].join('\r\n');

async function expectLoreError(promise: Promise<unknown>): Promise<LoreError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isLoreError(error)) throw new Error(`expected a LoreError, got ${String(error)}`);
  return error;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lore-beir-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('readBeirDataset', () => {
  it('reads a BEIR folder and keeps only queries with a relevant judgment', async () => {
    const dir = await writeFolder('tiny', { corpus, queries, qrels });
    const data = await readBeirDataset({ dir });
    expect(data.name).toBe('tiny');
    expect(data.corpus).toEqual([
      { id: 'd1', title: 'Wings', text: 'lift on a wing' },
      { id: 'd2', title: '', text: 'no title field here' },
      { id: '3', title: '', text: 'numeric id' },
    ]);
    expect(data.queries.map((q) => q.id)).toEqual(['q1', 'q4']);
    expect(data.qrels.get('q1')).toEqual(new Map([['d1', 2], ['3', 1], ['d2', 0]]));
    expect(data.qrels.has('q2')).toBe(false);
    expect(data.qrels.has('q9')).toBe(false); // judged but not in queries.jsonl
    expect(data.counts).toEqual({
      documents: 3,
      queries: 2,
      queriesInFile: 4,
      judgments: 6,
      relevantJudgments: 3,
      judgmentsOutsideCorpus: 1,
    });
  });

  it('reports a malformed JSON line with its line number', async () => {
    const bad = ['{"_id": "d1", "text": "fine"}', '', '{"_id": "d2", "text": broken}'].join('\n');
    const dir = await writeFolder('bad-json', { corpus: bad, queries, qrels });
    const error = await expectLoreError(readBeirDataset({ dir }));
    expect(error.code).toBe('PARSE_ERROR');
    expect(error.message).toMatch(/corpus\.jsonl:3: not valid JSON/);
    expect(error.subject).toMatch(/corpus\.jsonl$/);
  });

  it('reports a missing field, a duplicate id and a bad qrels row', async () => {
    const noText = await writeFolder('no-text', { corpus, queries: '{"_id": "q1"}\n', qrels });
    expect((await expectLoreError(readBeirDataset({ dir: noText }))).message).toMatch(/queries\.jsonl:1: missing "text"/);

    const dup = await writeFolder('dup', { corpus: `${corpus}{"_id": "d1", "text": "again"}\n`, queries, qrels });
    expect((await expectLoreError(readBeirDataset({ dir: dup }))).message).toMatch(/corpus\.jsonl:4: duplicate document id "d1"/);

    const badRow = await writeFolder('bad-row', { corpus, queries, qrels: 'query-id\tcorpus-id\tscore\nq1 d1 1\n' });
    expect((await expectLoreError(readBeirDataset({ dir: badRow }))).message).toMatch(/test\.tsv:2: expected 3 tab-separated columns/);

    const badScore = await writeFolder('bad-score', { corpus, queries, qrels: 'q1\td1\thigh\n' });
    expect((await expectLoreError(readBeirDataset({ dir: badScore }))).message).toMatch(/test\.tsv:1: score "high" is not a number/);
  });

  it('reports a missing file or folder as NOT_FOUND', async () => {
    const noQrels = await writeFolder('no-qrels', { corpus, queries });
    const error = await expectLoreError(readBeirDataset({ dir: noQrels }));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toMatch(/qrels[/\\]test\.tsv/);

    const gone = await expectLoreError(readBeirDataset({ dir: join(root, 'does-not-exist') }));
    expect(gone.code).toBe('NOT_FOUND');
  });
});
