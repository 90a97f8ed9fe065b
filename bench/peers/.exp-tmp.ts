import { readBeirDataset } from '../../src/eval/beir.js';
import { evaluateRun } from '../../src/eval/metrics.js';
import { createFts5Peer, quoteFts5 } from './fts5.js';
import { create, insertMultiple, search } from '@orama/orama';
const data = await readBeirDataset({ dir: `/work/shared/datasets/cmrc2018-trial` });
const variants: Record<string, (q: string) => string> = {
  noDedupe: (q) => { const g: string[] = []; for (const c of q.toLowerCase().split(/\s+/)) { const ch = [...c]; for (let i = 0; i + 3 <= ch.length; i++) g.push(ch.slice(i, i + 3).join('')); } return g.map(quoteFts5).join(' OR '); },
  wholeQuery: (q) => { const g = new Set<string>(); const ch = [...q]; for (let i = 0; i + 3 <= ch.length; i++) { const s = ch.slice(i, i + 3).join(''); if (s.trim().length === 3) g.add(s); } return [...g].map(quoteFts5).join(' OR '); },
  wholeQueryNoDedupe: (q) => { const g: string[] = []; const ch = [...q]; for (let i = 0; i + 3 <= ch.length; i++) { const s = ch.slice(i, i + 3).join(''); if (s.trim().length > 0) g.push(s); } return g.map(quoteFts5).join(' OR '); },
  utf16NoDedupe: (q) => { const g: string[] = []; for (let i = 0; i + 3 <= q.length; i++) { const s = q.slice(i, i + 3); if (s.trim().length >= 3) g.push(s); } return g.map(quoteFts5).join(' OR '); },
};
for (const [name, toMatch] of Object.entries(variants)) {
  const p = createFts5Peer({ name, tokenize: 'trigram', toMatch }); p.index(data.corpus);
  const run = new Map();
  for (const q of data.queries) run.set(q.id, p.search(q.text, 100).map((h) => ({ docId: h.id, score: h.score })));
  console.log(name, evaluateRun({ run, qrels: data.qrels, ks: [10], order: 'given' }).mean['ndcg@10']!.toFixed(4));
}
const cran = await readBeirDataset({ dir: `/work/shared/datasets/cranfield` });
const db = create({ schema: { title: 'string', text: 'string' } as const });
await insertMultiple(db, cran.corpus);
const run = new Map();
for (const q of cran.queries) run.set(q.id, (await search(db, { term: q.text, limit: 100, exact: true })).hits.map((h) => ({ docId: String(h.id), score: h.score })));
console.log('orama exact', evaluateRun({ run, qrels: cran.qrels, ks: [10], order: 'given' }).mean['ndcg@10']!.toFixed(4));
