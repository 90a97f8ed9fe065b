import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextPrecisionFromVerdicts } from '../eval/rag/context-precision.js';
import { startScriptedOpenAIServer, type ScriptedOpenAIServer, type ScriptedRequest } from '../models/test-support/scripted-openai-server.js';
import { writeTinyGguf } from '../models/test-support/tiny-gguf.js';
import type { StoredEvalRun } from '../spec/eval-runs.js';
import { runCli } from './test-support/run-cli.js';

const root = mkdtempSync(join(tmpdir(), 'lore-eval-rag-'));
const docs = join(root, 'docs');
const env = { LORE_DB: join(root, 'lore.db'), LORE_MODEL: '' };
const cli = (args: string[]) => runCli(args, { env, cwd: root });

const FILES: Record<string, string> = {
  'gearbox.md': '# Gearbox\n\nThe turbine gearbox converts the slow rotation of the rotor into the high speed the generator needs. Replace the gearbox oil every 18 months. Check the oil level every month.\n',
  'blades.md': '# Blades\n\nInspect the leading edge of each turbine blade twice a year. Small cracks can be repaired with epoxy filler.\n',
  'yaw.md': '# Yaw system\n\nThe yaw drive is the motor that turns the turbine nacelle into the wind. Grease the yaw bearing every six months.\n',
  'tower.md': '# Tower\n\nTurbine tower bolts are checked for torque during the yearly service. The tower is painted every ten years to prevent corrosion.\n',
  '维护手册.md': '# 齿轮箱\n\n齿轮箱把风轮的低速转动变成发电机需要的高速转动。每个月检查一次油位，每十八个月更换一次齿轮油。偏航驱动是让机舱始终对准风向的电机。\n',
};

/** The judge of the scripted server: fixed verdicts per metric; the relevance reply for one question is garbage. */
const GARBAGE_QUESTION = 'What protects the turbine tower from corrosion?';
function judgeReply(request: ScriptedRequest): string {
  const format = request.body['response_format'] as { json_schema?: { name?: string; schema?: { properties?: Record<string, { minItems?: number }> } } } | undefined;
  const name = format?.json_schema?.name;
  const prompt = request.messages.map((m) => m.content ?? '').join('\n');
  switch (name) {
    case 'statements':
      return JSON.stringify({ statements: ['The oil is replaced.', 'It is replaced every 18 months.', 'The level is checked.', 'Gearboxes are loud.'] });
    case 'faithfulness':
      return JSON.stringify({ verdicts: ['yes', 'yes', 'no', 'yes'] });
    case 'answer_relevance':
      return prompt.includes(GARBAGE_QUESTION) ? 'Sure! I would rate it highly.' : JSON.stringify({ rating: 'partial' });
    case 'context_precision': {
      const n = format?.json_schema?.schema?.properties?.['verdicts']?.minItems ?? 0;
      return JSON.stringify({ verdicts: Array.from({ length: n }, (_, i) => (i === 0 ? 'no' : 'yes')) });
    }
    case 'context_recall':
      return JSON.stringify({ verdicts: ['yes', 'no'] });
    case 'answer_correctness':
      return JSON.stringify({ answer_statements: ['yes', 'yes', 'no', 'no'], reference_statements: ['yes', 'no'] });
    case 'search_queries':
      // Multi-query: a rephrasing that finds a passage the question's own words do not.
      return JSON.stringify({ queries: ['battery backup feathers the blades when the grid fails'] });
    default:
      return 'unexpected request';
  }
}

let server: ScriptedOpenAIServer;
beforeAll(async () => {
  mkdirSync(docs);
  for (const [name, text] of Object.entries(FILES)) writeFileSync(join(docs, name), text);
  const ingest = await cli(['ingest', docs, '-c', 'docs', '--embedder', 'none', '--no-progress']);
  expect(ingest.code).toBe(0);
  server = await startScriptedOpenAIServer({ reply: judgeReply });
}, 60_000);

afterAll(async () => {
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

function writeSet(name: string, items: object[]): string {
  const path = join(root, name);
  writeFileSync(path, items.map((i) => JSON.stringify(i)).join('\n') + '\n');
  return path;
}

const parse = (stdout: string) => JSON.parse(stdout) as StoredEvalRun;

describe('lore eval generate', () => {
  it('makes an offline test set in each document\'s language, and says it is template-made', async () => {
    const out = join(root, 'generated.jsonl');
    const r = await cli(['eval', 'generate', '-c', 'docs', '-n', '8', '--out', out, '--json']);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as { questions: number; generator: string; byLanguage: Record<string, number>; notes: string[] };
    expect(summary.generator).toBe('template');
    expect(summary.notes.join(' ')).toMatch(/Offline template generator/);
    expect(summary.byLanguage['en']).toBeGreaterThan(0);
    expect(summary.byLanguage['zh']).toBeGreaterThan(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { question: string; reference: string; source_chunks: Array<{ chunk_id: number; text: string }>; language: string });
    expect(lines).toHaveLength(summary.questions);
    for (const l of lines) {
      expect(l.source_chunks.length).toBeGreaterThan(0);
      expect(l.question).toMatch(l.language === 'zh' ? /？$/ : /\?$/);
      if (l.language === 'zh') expect(l.question).toMatch(/\p{Script=Han}/u);
    }
  });

  it('fails clearly on an unknown collection', async () => {
    const r = await cli(['eval', 'generate', '-c', 'nope']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/No collection "nope"/);
  });
});

describe('lore eval rag', () => {
  it('runs the extractive pipeline with the lexical checks, stores the run and writes reports', async () => {
    const set = join(root, 'generated.jsonl');
    const r = await cli(['eval', 'rag', set, '-c', 'docs', '--mode', 'keyword', '--name', 'lexical', '--report', join(root, 'lexical.html'), '--report', join(root, 'lexical.md'), '--json']);
    expect(r.code).toBe(0);
    const { run, items } = parse(r.stdout);
    expect(run).toMatchObject({ kind: 'rag', name: 'lexical', config: { method: 'lexical', answerer: 'extractive', mode: 'keyword' } });
    for (const s of Object.values(run.metrics)) if (s.mean !== null) expect(s.mean).toBeGreaterThanOrEqual(0), expect(s.mean).toBeLessThanOrEqual(1);
    for (const item of items) for (const v of Object.values(item.scores)) if (v !== null) expect(v >= 0 && v <= 1).toBe(true);
    // Generated questions come with their reference and source chunks: recall finds them.
    expect(run.metrics['context_recall']!.mean).toBeGreaterThan(0.5);
    expect(r.stderr).toBe(''); // --json: the result on stdout, nothing else
    expect(readFileSync(join(root, 'lexical.html'), 'utf8')).toMatch(/<svg class="chart histogram"/);
    expect(readFileSync(join(root, 'lexical.md'), 'utf8')).toMatch(/^# Lore RAG evaluation: lexical/);
  });

  it('scores exactly what a scripted judge says, and counts a garbage reply as a failure left out of the mean', async () => {
    const set = writeSet('judged.jsonl', [
      { id: 'oil', question: 'How often is the turbine gearbox oil replaced?', reference: 'Replace the gearbox oil every 18 months. Check the level monthly.' },
      { id: 'paint', question: GARBAGE_QUESTION, reference: 'The tower is painted every ten years. It prevents corrosion.' },
    ]);
    const r = await cli(['eval', 'rag', set, '-c', 'docs', '--mode', 'keyword', '-k', '3', '--judge', `openai-compatible:${server.baseUrl}#judge`, '--name', 'judged', '--json', '--fail-below', 'faithfulness=0.8', '--fail-below', 'answer_relevance=0.5']);
    // Faithfulness 0.75 is below 0.8: exit code 1; answer relevance 0.5 is not below 0.5.
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/evaluation below threshold: faithfulness 0\.7500 is below 0\.8/);
    expect(r.stderr).not.toMatch(/answer_relevance .* is below/);
    const { run, items } = parse(r.stdout);
    expect(run.config).toMatchObject({ method: 'judge', judge: `openai-compatible:${server.baseUrl}#judge` });
    expect(run.metrics['faithfulness']).toEqual({ mean: 0.75, scored: 2, failed: 0, skipped: 0 });
    expect(run.metrics['answer_relevance']).toEqual({ mean: 0.5, scored: 1, failed: 1, skipped: 0 });
    expect(run.metrics['context_recall']).toEqual({ mean: 0.5, scored: 2, failed: 0, skipped: 0 });
    expect(run.metrics['answer_correctness']!.mean).toBeCloseTo(2 / 3.5, 12);
    // Three passages retrieved for each question; the judge called the first not useful.
    expect(run.metrics['context_precision']!.mean).toBeCloseTo(contextPrecisionFromVerdicts([false, true, true]), 12);
    expect(items.map((i) => (i.output['contexts'] as unknown[]).length)).toEqual([3, 3]);
    const paint = items.find((i) => i.itemId === 'paint')!;
    expect(paint.scores['answer_relevance']).toBeNull();
    expect((paint.output['failures'] as Record<string, string>)['answer_relevance']).toMatch(/judge openai-compatible:.*#judge failed: .*no output matching the schema in 2 replies/);
    // The relevance request for the garbage question was asked again once (a repair turn), then given up.
    const relevanceCalls = server.requests.filter((q) => (q.body['response_format'] as { json_schema?: { name?: string } })?.json_schema?.name === 'answer_relevance');
    expect(relevanceCalls).toHaveLength(3);
    expect(JSON.stringify(run)).not.toMatch(/NaN/);
  });

  it('compares two stored runs and lists them', async () => {
    const r = await cli(['eval', 'compare', 'lexical', 'judged', '--json']);
    expect(r.code).toBe(0);
    const c = JSON.parse(r.stdout) as { metrics: Array<{ metric: string; a: number | null; b: number | null; wins: number; losses: number; ties: number; compared: number }>; sameDataset: boolean };
    expect(c.sameDataset).toBe(false);
    expect(c.metrics.map((m) => m.metric)).toEqual(['faithfulness', 'answer_relevance', 'context_precision', 'context_recall', 'answer_correctness']);
    const list = await cli(['eval', 'runs']);
    expect(list.stdout).toMatch(/judged\s+rag/);
    expect(list.stdout).toMatch(/lexical\s+rag/);
  });

  it('refuses a threshold on a metric it does not compute, before running', async () => {
    const r = await cli(['eval', 'rag', join(root, 'judged.jsonl'), '--fail-below', 'ndcg@10=0.5']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown metric "ndcg@10"/);
  });

  it('runs end to end with the tiny generated GGUF judge: every score valid or a counted failure, report written', async () => {
    const model = join(root, 'judge.gguf');
    writeTinyGguf({ path: model });
    // The scripted judge's two questions, and a Chinese one: the run compares item by item with that one.
    const set = writeSet('tiny.jsonl', [
      { id: 'oil', question: 'How often is the turbine gearbox oil replaced?', reference: 'Replace the gearbox oil every 18 months. Check the level monthly.' },
      { id: 'paint', question: GARBAGE_QUESTION, reference: 'The tower is painted every ten years. It prevents corrosion.' },
      { id: 'zh', question: '齿轮油多久更换一次？', reference: '每十八个月更换一次齿轮油。' },
    ]);
    const report = join(root, 'tiny.html');
    const started = Date.now();
    const r = await cli(['eval', 'rag', set, '-c', 'docs', '--mode', 'keyword', '-k', '2', '--judge', `gguf:${model}`, '--threads', '1', '--judge-max-tokens', '48', '--name', 'tiny-gguf', '--report', report, '--compare', 'judged', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const { run, items } = parse(r.stdout);
    expect(run.config).toMatchObject({ method: 'judge', judge: `gguf:${model}` });
    for (const [metric, s] of Object.entries(run.metrics)) {
      // Scored + failed + skipped covers every item; a mean is a valid score or null when nothing scored.
      expect(s.scored + s.failed + s.skipped, metric).toBe(3);
      if (s.mean !== null) expect(s.mean >= 0 && s.mean <= 1).toBe(true);
      else expect(s.scored).toBe(0);
    }
    for (const item of items) {
      for (const [metric, v] of Object.entries(item.scores)) {
        if (v !== null) expect(v >= 0 && v <= 1).toBe(true);
        else expect({ ...(item.output['failures'] as object), ...(item.output['skipped'] as object) }).toHaveProperty(metric);
      }
    }
    // The three-way rating fits in 48 tokens under the grammar: some scores do come from the model.
    expect(run.metrics['answer_relevance']!.scored).toBeGreaterThan(0);
    for (const item of items) for (const reason of Object.values((item.output['failures'] as Record<string, string> | undefined) ?? {})) expect(reason).toMatch(/^judge gguf:/);
    const judgeStats = run.config['judgeStats'] as { calls: number; failures: number };
    expect(judgeStats.calls).toBeGreaterThan(0);
    const html = readFileSync(report, 'utf8');
    expect(html).toMatch(/Compared with judged/);
    expect(html).not.toMatch(/NaN/);
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 90_000);

  it.skipIf(!existsSync('/usr/bin/chromium'))('the HTML report renders in headless chromium: charts drawn, no console errors, screenshot saved', async () => {
    const report = join(root, 'compare.html');
    const r = await cli(['eval', 'report', 'tiny-gguf', report, '--compare', 'judged']);
    expect(r.code).toBe(0);
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
      });
      page.on('pageerror', (e) => problems.push(String(e)));
      page.on('request', (q) => requests.push(q.url()));
      await page.goto(`file://${report}`);
      expect(problems).toEqual([]);
      // Only the file itself was loaded: no script, font or image from anywhere.
      expect(requests).toEqual([`file://${report}`]);
      expect(await page.locator('svg.chart.histogram').count()).toBe(5);
      expect(await page.locator('svg.chart.means').count()).toBe(1);
      expect(await page.locator('svg.chart.winloss').count()).toBe(1);
      // The bars have size on screen: the charts render, not just exist in the markup.
      const box = await page.locator('svg.chart.histogram rect.bar.current').first().boundingBox();
      expect(box && box.width > 0).toBe(true);
      const drawn = await page.locator('svg.chart rect.bar').evaluateAll((rects) => rects.filter((r) => (r as unknown as { getBBox(): { height: number } }).getBBox().height > 0).length);
      expect(drawn).toBeGreaterThan(5);
      expect(await page.locator('table.items tbody tr').count()).toBe(3);
      // Saved for review under tmp/ (gitignored); LORE_SCREENSHOTS=1 refreshes the committed copy in docs/.
      const folder = process.env['LORE_SCREENSHOTS'] === '1' ? join(process.cwd(), 'docs', 'screenshots') : join(process.cwd(), 'tmp', 'screenshots');
      const shot = join(folder, 'eval-report.png');
      mkdirSync(folder, { recursive: true });
      await page.screenshot({ path: shot, fullPage: true });
      expect(readFileSync(shot).subarray(1, 4).toString()).toBe('PNG');
    } finally {
      await browser.close();
    }
  }, 60_000);
});

/** One document in five short chunks: the reference's second sentence is in the chunk after the one the question matches. */
const PITCH = [
  'The pitch system turns each blade about its long axis to control the power the rotor takes from the wind.',
  'Grease the pitch bearing every three months with the grease gun at the hub.',
  'Use lithium soap grease of consistency class NLGI 2; other greases harden in the cold.',
  'Each pitch motor has a brake that holds the blade when the motor is off.',
  'The battery backup feathers the blades when the grid fails.',
];

describe('lore eval rag: retrieval steps', () => {
  let pitchSet: string;
  beforeAll(async () => {
    const dir = join(root, 'pitch');
    mkdirSync(dir);
    writeFileSync(join(dir, 'pitch.md'), `# Pitch system\n\n${PITCH.join('\n\n')}\n`);
    const r = await cli(['ingest', dir, '-c', 'manual', '--embedder', 'none', '--chunk-size', '24', '--overlap', '0', '--no-progress']);
    expect(r.code, r.stderr).toBe(0);
    pitchSet = writeSet('pitch.jsonl', [{ id: 'grease', question: 'How often is the pitch bearing greased?', reference: `${PITCH[1]} ${PITCH[2]}` }]);
  }, 60_000);

  it('with --pipeline window:1 the judge sees the neighbouring chunks: context recall rises, and the run records the pipeline', async () => {
    const plain = await cli(['eval', 'rag', pitchSet, '-c', 'manual', '--mode', 'keyword', '-k', '1', '--name', 'pitch-plain', '--json']);
    expect(plain.code, plain.stderr).toBe(0);
    const windowed = await cli(['eval', 'rag', pitchSet, '-c', 'manual', '--mode', 'keyword', '-k', '1', '--pipeline', 'window:1', '--name', 'pitch-window', '--json']);
    expect(windowed.code, windowed.stderr).toBe(0);
    const a = parse(plain.stdout);
    const b = parse(windowed.stdout);
    expect(a.run.config).toMatchObject({ pipeline: 'none', querySteps: 'none' });
    expect(b.run.config).toMatchObject({ pipeline: 'window:1', querySteps: 'none' });
    const contexts = (r: StoredEvalRun) => (r.items[0]!.output['contexts'] as Array<{ text: string }>).map((c) => c.text).join('\n');
    // The question matches the chunk that says how often; only the window brings in the next one, which says with what.
    expect(contexts(a)).toMatch(/every three months/);
    expect(contexts(a)).not.toMatch(/NLGI 2/);
    expect(contexts(b)).toMatch(/every three months[\s\S]*NLGI 2/);
    expect(a.run.metrics['context_recall']!.mean).toBe(0.5);
    expect(b.run.metrics['context_recall']!.mean).toBe(1);
    expect((b.items[0]!.output['retrieval'] as { steps: string[] }).steps).toEqual(['keyword search (1)', 'context window:1']);
    expect((a.items[0]!.output['retrieval'] as { steps: string[] }).steps).toEqual(['keyword search (1)']);

    // The comparison says which pipeline each run used: in JSON, and in the text summary.
    const json = await cli(['eval', 'compare', 'pitch-plain', 'pitch-window', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const c = JSON.parse(json.stdout) as { a: { pipeline: string }; b: { pipeline: string }; settings: Array<{ setting: string; a: unknown; b: unknown }> };
    expect([c.a.pipeline, c.b.pipeline]).toEqual(['none', 'window:1']);
    expect(c.settings).toEqual([{ setting: 'pipeline', a: 'none', b: 'window:1' }]);
    const text = await cli(['eval', 'compare', 'pitch-plain', 'pitch-window']);
    expect(text.stdout).toMatch(/pipeline: A none · B window:1/);
    expect(text.stdout).toMatch(/context_recall\s+0\.5000\s+1\.0000\s+\+0\.5000\s+1\s+0\s+0/);
  }, 60_000);

  it('runs ask\'s query steps with the answer model and, as ask, window:1 by default with a model; refuses them without one', async () => {
    const model = `openai-compatible:${server.baseUrl}#writer`;
    const before = server.requests.length;
    const r = await cli(['eval', 'rag', pitchSet, '-c', 'manual', '--mode', 'keyword', '-k', '2', '--model', model, '--multi-query', '1', '--name', 'pitch-mq', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const { run, items } = parse(r.stdout);
    expect(run.config).toMatchObject({ pipeline: 'window:1', querySteps: 'multi-query:1', answerer: model });
    const retrieval = items[0]!.output['retrieval'] as { steps: string[] };
    expect(retrieval.steps).toEqual(['expand multi-query:1', 'keyword search (2)', 'context window:1']);
    const asked = server.requests.slice(before).map((q) => (q.body['response_format'] as { json_schema?: { name?: string } } | undefined)?.json_schema?.name);
    expect(asked).toContain('search_queries');
    // The rephrasing found the battery passage, which the question alone does not reach.
    const texts = (items[0]!.output['contexts'] as Array<{ text: string }>).map((c) => c.text).join('\n');
    expect(texts).toMatch(/battery backup/);
    const plain = parse((await cli(['eval', 'rag', pitchSet, '-c', 'manual', '--mode', 'keyword', '-k', '2', '--no-store', '--json'])).stdout);
    expect((plain.items[0]!.output['contexts'] as Array<{ text: string }>).map((c) => c.text).join('\n')).not.toMatch(/battery backup/);

    // Routing needs no model by rules: each item records where its question was sent.
    const routed = parse((await cli(['eval', 'rag', pitchSet, '--mode', 'keyword', '-k', '1', '--route', 'rules', '--no-store', '--json'])).stdout);
    expect(routed.run.config).toMatchObject({ collection: null, querySteps: 'route:rules', pipeline: 'none' });
    const route = (routed.items[0]!.output['retrieval'] as { route?: { method: string; kind: string; route: string } }).route;
    expect(route).toMatchObject({ method: 'rules', kind: 'collection' });
    expect(['docs', 'manual']).toContain(route!.route);

    const refused = await cli(['eval', 'rag', pitchSet, '-c', 'manual', '--hyde', '--no-store']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/this retrieval step needs a language model/);
    const bad = await cli(['eval', 'rag', pitchSet, '--pipeline', 'window:x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/"window:x": expected a whole number/);
  }, 60_000);
});

describe('lore eval retrieval: stored runs, reports, --fail-below', () => {
  it('stores the run in --db, writes a Markdown report and fails below a threshold with exit code 1', async () => {
    const beir = join(root, 'beir');
    mkdirSync(join(beir, 'qrels'), { recursive: true });
    writeFileSync(join(beir, 'corpus.jsonl'), Object.entries(FILES).map(([id, text]) => JSON.stringify({ _id: id, title: '', text })).join('\n') + '\n');
    writeFileSync(join(beir, 'queries.jsonl'), [{ _id: 'q1', text: 'gearbox oil' }, { _id: 'q2', text: 'blade cracks epoxy' }, { _id: 'q3', text: 'lightning rods' }].map((q) => JSON.stringify(q)).join('\n') + '\n');
    writeFileSync(join(beir, 'qrels', 'test.tsv'), 'query-id\tcorpus-id\tscore\nq1\tgearbox.md\t1\nq2\tblades.md\t1\nq3\ttower.md\t1\n');
    const md = join(root, 'retrieval.md');
    const r = await cli(['eval', 'retrieval', beir, '--mode', 'keyword', '--name', 'bm25', '--report', md, '--fail-below', 'ndcg@10=0.9']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ndcg@10 0\.6667 is below 0\.9/);
    expect(r.stderr).toMatch(/stored as run retrieval-/);
    expect(readFileSync(md, 'utf8')).toMatch(/\| q3 \| lightning rods \| 0\.000 \|/);
    const runs = await cli(['eval', 'runs', '--kind', 'retrieval', '--json']);
    const list = JSON.parse(runs.stdout) as Array<{ name: string; itemCount: number; metrics: Record<string, { mean: number }> }>;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ name: 'bm25', itemCount: 3 });
    expect(list[0]!.metrics['ndcg@10']!.mean).toBeCloseTo(2 / 3, 12);
    const pass = await cli(['eval', 'retrieval', beir, '--mode', 'keyword', '--fail-below', 'ndcg@10=0.5', '--compare', 'bm25', '--report', join(root, 'retrieval.html')]);
    expect(pass.code).toBe(0);
    expect(readFileSync(join(root, 'retrieval.html'), 'utf8')).toMatch(/Compared with bm25/);
  });
});
