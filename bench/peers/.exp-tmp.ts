import { readBeirDataset } from '/work/main/src/eval/beir.js';
import { evaluateRun } from '/work/main/src/eval/metrics.js';
import MiniSearch from 'minisearch';
import { create, insertMultiple, insert, search } from '@orama/orama';
const data = await readBeirDataset({ dir: '/work/shared/datasets/cranfield' });
async function score(name: string, fn: (q: string) => Promise<{id: string; score: number}[]> | {id: string; score: number}[]) {
  const run = new Map();
  for (const q of data.queries) run.set(q.id, (await fn(q.text)).map((h) => ({ docId: h.id, score: h.score })));
  const g = evaluateRun({ run, qrels: data.qrels, ks: [10], order: 'given' }).mean['ndcg@10']!;
  const t = evaluateRun({ run, qrels: data.qrels, ks: [10] }).mean['ndcg@10']!;
  console.log(name, g.toFixed(4), t.toFixed(4));
}
const ms = new MiniSearch({ fields: ['title', 'text'] }); ms.addAll(data.corpus);
await score('minisearch', (q) => ms.search(q).slice(0, 100).map((r) => ({ id: String(r.id), score: r.score })));
const ms2 = new MiniSearch({ fields: ['text'] }); ms2.addAll(data.corpus);
await score('minisearch text only', (q) => ms2.search(q).slice(0, 100).map((r) => ({ id: String(r.id), score: r.score })));
await score('minisearch prefix+fuzzy', (q) => ms.search(q, { prefix: true, fuzzy: 0.2 }).slice(0, 100).map((r) => ({ id: String(r.id), score: r.score })));
const ms3 = new MiniSearch({ fields: ['title', 'text'], storeFields: ['title'], idField: 'id' }); ms3.addAll(data.corpus.map((d, i) => ({ ...d })));
const db = create({ schema: { title: 'string', text: 'string' } as const });
await insertMultiple(db, data.corpus);
await score('orama', async (q) => (await search(db, { term: q, limit: 100 })).hits.map((h) => ({ id: String(h.id), score: h.score })));
await score('orama limit10', async (q) => (await search(db, { term: q, limit: 10 })).hits.map((h) => ({ id: String(h.id), score: h.score })));
const db2 = create({ schema: { id: 'string', title: 'string', text: 'string' } as const });
for (const d of data.corpus) await insert(db2, d);
await score('orama id in schema', async (q) => (await search(db2, { term: q, limit: 100 })).hits.map((h) => ({ id: String(h.id), score: h.score })));
await score('orama text only', async (q) => (await search(db, { term: q, limit: 100, properties: ['text'] })).hits.map((h) => ({ id: String(h.id), score: h.score })));
await score('orama threshold0', async (q) => (await search(db, { term: q, limit: 100, threshold: 0 })).hits.map((h) => ({ id: String(h.id), score: h.score })));
