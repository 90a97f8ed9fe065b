import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './test-support/run-cli.js';

const GUIDE = [
  '# Turbine guide',
  '',
  '## Gearbox',
  '',
  'The gearbox turns the slow rotor into fast generator speed. Its oil must be replaced every eighteen months. A filter catches metal particles from the gears. Check the filter at each visit.',
  '',
  'Bearings in the gearbox wear slowly. Vibration sensors report early damage. Engineers read the sensors every week.',
  '',
  '## Blades',
  '',
  'Rain and sand erode the leading edge of the blades. Erosion reduces power output. Repairs use a protective tape.',
].join('\n');

interface JsonHit {
  source: string;
  text: string;
  start: number;
  end: number;
  headingPath: string[];
  scores: Record<string, number>;
  spans?: Array<{ start: number; end: number; text: string }>;
  chunkIds?: number[];
}

describe('lore search with retrieval steps', () => {
  let dir: string;
  let db: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lore-steps-'));
    writeFileSync(join(dir, 'guide.md'), GUIDE);
    db = join(dir, 'lore.db');
    const r = await runCli(['ingest', join(dir, 'guide.md'), '--db', db, '--chunk-size', '20', '--overlap', '6', '--embedder', 'none']);
    expect(r.code).toBe(0);
  });

  it('--context window merges neighbouring chunks into one exact slice of the file', async () => {
    const r = await runCli(['search', 'oil filter replaced', '--db', db, '--json', '--mode', 'keyword', '-k', '3', '--context', 'window']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { steps: string[]; hits: JsonHit[] };
    expect(out.steps).toEqual(['keyword search (3)', 'context window:1']);
    expect(out.hits).toHaveLength(1);
    expect(out.hits[0]!.text).toBe(GUIDE.slice(out.hits[0]!.start, out.hits[0]!.end));
    expect(out.hits[0]!.chunkIds!.length).toBeGreaterThanOrEqual(3);
  });

  it('--context parent --compress keeps the answer sentence of the section, within the budget', async () => {
    const r = await runCli(['search', 'how often is the oil replaced', '--db', db, '--json', '--mode', 'keyword', '-k', '2', '--context', 'parent', '--compress', '15']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { steps: string[]; hits: JsonHit[] };
    expect(out.steps.at(-1)).toMatch(/^compress 15 tokens/);
    expect(out.hits[0]!.text).toContain('Its oil must be replaced every eighteen months.');
    expect(Number(/→ (\d+)\)$/.exec(out.steps.at(-1)!)![1])).toBeLessThanOrEqual(15);
    for (const span of out.hits.flatMap((h) => h.spans!)) expect(span.text).toBe(GUIDE.slice(span.start, span.end));
  });

  it('--rerank mmr records a rerank score; the readable output shows it', async () => {
    const json = JSON.parse((await runCli(['search', 'gearbox', '--db', db, '--json', '--mode', 'keyword', '--rerank', 'mmr'])).stdout) as { hits: JsonHit[] };
    expect(json.hits[0]!.scores['rerank']).toBeTypeOf('number');
    const text = await runCli(['search', 'gearbox', '--db', db, '--mode', 'keyword', '--rerank', 'mmr', '--mmr-lambda', '0.5']);
    expect(text.stdout).toMatch(/rerank \d\.\d{3}/);
    expect((await runCli(['search', 'gearbox', '--db', db, '--rerank', 'bogus'])).code).toBe(2);
    expect((await runCli(['search', 'gearbox', '--db', db, '--mmr-lambda', '3'])).code).toBe(2);
  });
});

describe('lore eval retrieval --pipeline', () => {
  let beir: string;
  beforeAll(() => {
    beir = mkdtempSync(join(tmpdir(), 'lore-beir-steps-'));
    mkdirSync(join(beir, 'qrels'));
    const docs = [
      { _id: 'd1', title: 'Gearbox oil', text: 'Replace the gearbox oil every eighteen months.' },
      { _id: 'd2', title: 'Gearbox oil again', text: 'Replace the gearbox oil every eighteen months, says the manual.' },
      { _id: 'd3', title: 'Blades', text: 'Rain and sand erode the blades.' },
    ];
    writeFileSync(join(beir, 'corpus.jsonl'), docs.map((d) => JSON.stringify(d)).join('\n') + '\n');
    writeFileSync(join(beir, 'queries.jsonl'), [{ _id: 'q1', text: 'gearbox oil' }, { _id: 'q2', text: 'blade erosion' }].map((q) => JSON.stringify(q)).join('\n') + '\n');
    writeFileSync(join(beir, 'qrels', 'test.tsv'), 'query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td3\t1\n');
  });

  it('runs the steps and reports them; records never merge across documents', async () => {
    const r = await runCli(['eval', 'retrieval', beir, '--mode', 'keyword', '--pipeline', 'mmr:0.5,window:1', '--json', '--runfile', join(beir, 'run.txt')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as { pipeline: string; metrics: Record<string, number> };
    expect(result.pipeline).toBe('mmr:0.5,window:1');
    expect(result.metrics['recall@10']).toBe(1);
    const q1 = readFileSync(join(beir, 'run.txt'), 'utf8').split('\n').filter((l) => l.startsWith('q1 '));
    expect(q1.map((l) => l.split(' ')[2]).sort()).toEqual(['d1', 'd2']);
  });

  it('refuses an unknown step with a usage error and documents the syntax', async () => {
    const bad = await runCli(['eval', 'retrieval', beir, '--pipeline', 'rerank-everything']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Unknown pipeline step/);
    const help = await runCli(['eval', 'retrieval', '--help']);
    expect(help.stdout).toMatch(/mmr\[:λ\]/);
    expect(help.stdout).toMatch(/compress\[:tokens\]/);
  });
});
