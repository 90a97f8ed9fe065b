import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './test-support/run-cli.js';

/** A tiny BEIR folder: six documents, three judged queries (one with graded gains), one unanswerable query. */
function makeBeir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lore-beir-'));
  mkdirSync(join(dir, 'qrels'));
  const docs = [
    { _id: 'd1', title: 'Gearbox oil', text: 'Replace the gearbox oil every eighteen months and check the filter for metal particles.' },
    { _id: 'd2', title: 'Blade erosion', text: 'Rain and sand erode the leading edge of the blades and reduce the power output.' },
    { _id: 'd3', title: 'Yaw system', text: 'The yaw drive turns the nacelle into the wind; grease the yaw bearing twice a year.' },
    { _id: 'd4', title: '齿轮箱', text: '每十八个月更换一次齿轮油，并检查滤网里是否有金属颗粒。' },
    { _id: 'd5', title: 'Tower', text: 'Tower bolts are checked for the correct torque during the yearly service.' },
    { _id: 'd6', title: 'Lubrication', text: 'Gearbox lubrication: synthetic oil keeps the bearings cool.' },
  ];
  writeFileSync(join(dir, 'corpus.jsonl'), docs.map((d) => JSON.stringify(d)).join('\n') + '\n');
  const queries = [
    { _id: 'q1', text: 'how often is the gearbox oil replaced' },
    { _id: 'q2', text: 'blade leading edge erosion' },
    { _id: 'q3', text: '齿轮油多久更换' },
    { _id: 'q4', text: 'photovoltaic inverter firmware' },
  ];
  writeFileSync(join(dir, 'queries.jsonl'), queries.map((q) => JSON.stringify(q)).join('\n') + '\n');
  writeFileSync(join(dir, 'qrels', 'test.tsv'), 'query-id\tcorpus-id\tscore\nq1\td1\t2\nq1\td6\t1\nq2\td2\t1\nq3\td4\t1\nq4\td5\t1\n');
  return dir;
}

interface EvalJson {
  mode: string;
  queries: number;
  metrics: Record<string, number>;
  perQuery: Array<{ queryId: string; metrics: Record<string, number> }>;
  latencyMs: { p50: number; p95: number };
  notes: string[];
}

describe('lore eval retrieval', () => {
  let dir: string;
  beforeAll(() => {
    dir = makeBeir();
  });

  it('scores keyword retrieval with every metric; an unanswered query scores 0 and stays in the mean', async () => {
    const r = await runCli(['eval', 'retrieval', dir, '--mode', 'keyword', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as EvalJson;
    expect(result.queries).toBe(4);
    expect(Object.keys(result.metrics).sort()).toEqual(['map', 'mrr@10', 'ndcg@10', 'recall@10', 'recall@100']);
    const q4 = result.perQuery.find((q) => q.queryId === 'q4')!;
    expect(q4.metrics['ndcg@10']).toBe(0);
    const q1 = result.perQuery.find((q) => q.queryId === 'q1')!;
    expect(q1.metrics['recall@10']).toBe(1);
    // Three queries answered perfectly or nearly, one not at all: the mean keeps the zero.
    expect(result.metrics['ndcg@10']).toBeGreaterThan(0.6);
    expect(result.metrics['ndcg@10']).toBeLessThanOrEqual(0.75);
    expect(result.metrics['mrr@10']).toBeCloseTo(0.75);
  });

  it('writes a TREC run file and prints a readable table', async () => {
    const runfile = join(dir, 'out.run');
    const r = await runCli(['eval', 'retrieval', dir, '--mode', 'keyword', '--runfile', runfile]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/NDCG@10\s+RECALL@10/);
    const lines = readFileSync(runfile, 'utf8').trim().split('\n');
    expect(lines[0]).toMatch(/^q1 Q0 d\d 1 [\d.]+ lore-keyword$/);
  });

  it('runs hybrid with the bundled embedder; Chinese queries are left to keyword search', async () => {
    const r = await runCli(['eval', 'retrieval', dir, '--json']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as EvalJson;
    expect(result.mode).toBe('hybrid');
    expect(result.perQuery.find((q) => q.queryId === 'q3')!.metrics['ndcg@10']).toBe(1);
    expect(result.notes.join(' ')).toMatch(/does not represent the query's language/);
    expect(result.metrics['recall@10']).toBeGreaterThanOrEqual(0.75);
  });

  it('says what is wrong with a folder that is not BEIR', async () => {
    const r = await runCli(['eval', 'retrieval', mkdtempSync(join(tmpdir(), 'lore-notbeir-')), '--mode', 'keyword']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/corpus\.jsonl/);
  });
});
