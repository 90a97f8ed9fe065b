import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { EvalItem, EvalKind, EvalRun, MetricSummary, StoredEvalRun } from '../../spec/eval-runs.js';
import type { RagEvaluation } from '../rag/rag-eval.js';
import { RETRIEVAL_METRICS, type RetrievalEvaluation } from '../retrieval-eval.js';

/** `rag-3fa9c1`: short enough to type, random enough not to collide within one database. */
export function newRunId(kind: EvalKind): string {
  return `${kind}-${randomBytes(3).toString('hex')}`;
}

interface RunMeta {
  dataset: string;
  name?: string;
  config: Record<string, unknown>;
  createdAt?: string;
}

/** A RAG evaluation as a stored run: per-item scores, and what each rests on in `output`. */
export function ragRunRecord(e: RagEvaluation, meta: RunMeta): StoredEvalRun {
  const items: EvalItem[] = e.items.map((item) => {
    const scores: Record<string, number | null> = {};
    const failures: Record<string, string> = {};
    const skippedReasons: Record<string, string> = {};
    const details: Record<string, unknown> = {};
    for (const m of e.metricNames) {
      const r = item.scores[m];
      if (!r) {
        scores[m] = null;
        continue;
      }
      if (r.status === 'scored') {
        scores[m] = r.score;
        if (r.detail) details[m] = r.detail;
      } else {
        scores[m] = null;
        if (r.status === 'failed') failures[m] = r.reason;
        else skippedReasons[m] = r.reason;
      }
    }
    return {
      itemId: item.id,
      input: item.question,
      output: {
        ...(item.reference ? { reference: item.reference } : {}),
        answer: item.answer,
        answerMode: item.answerMode,
        language: item.language,
        contexts: item.contexts,
        ...(item.retrieval ? { retrieval: item.retrieval } : {}),
        ...(Object.keys(failures).length ? { failures } : {}),
        ...(Object.keys(skippedReasons).length ? { skipped: skippedReasons } : {}),
        ...(Object.keys(details).length ? { details } : {}),
        ms: { retrieve: Math.round(item.ms.retrieve), answer: Math.round(item.ms.answer), judge: Math.round(item.ms.judge) },
      },
      scores,
      error: item.error ?? null,
    };
  });
  const metrics: Record<string, MetricSummary> = {};
  for (const m of e.metricNames) metrics[m] = e.metrics[m] ?? { mean: null, scored: 0, failed: 0, skipped: items.length };
  const run: EvalRun = {
    id: newRunId('rag'),
    kind: 'rag',
    name: meta.name ?? null,
    dataset: meta.dataset,
    datasetHash: e.datasetHash,
    config: { ...meta.config, pipeline: e.pipeline, method: e.method, answerer: e.answerer, judge: e.judge, ...(e.judgeStats ? { judgeStats: e.judgeStats } : {}) },
    metrics,
    notes: e.notes,
    createdAt: meta.createdAt ?? new Date().toISOString(),
    itemCount: items.length,
  };
  return { run, items };
}

/** SHA-256 of a BEIR folder's three files, in a fixed order. */
export function beirFolderHash(dir: string, split = 'test'): string {
  const hash = createHash('sha256');
  for (const file of ['corpus.jsonl', 'queries.jsonl', join('qrels', `${split}.tsv`)]) {
    hash.update(`${file}\n`);
    hash.update(readFileSync(join(dir, file)));
  }
  return hash.digest('hex');
}

/** Query id → text from queries.jsonl; lines that do not parse are left out (the evaluation already read them). */
function queryTexts(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of readFileSync(join(dir, 'queries.jsonl'), 'utf8').split(/\r?\n/)) {
    if (!line.trim()) continue;
    try {
      const q = JSON.parse(line.charCodeAt(0) === 0xfeff ? line.slice(1) : line) as { _id?: unknown; text?: unknown };
      if ((typeof q._id === 'string' || typeof q._id === 'number') && typeof q.text === 'string') out.set(String(q._id), q.text);
    } catch {
      // Not this function's to report.
    }
  }
  return out;
}

/** Documents kept per query in a stored retrieval run: enough to see what ranked first. */
const STORED_DOCS = 10;

/** A retrieval evaluation as a stored run: each judged query with its metrics and its top documents. */
export function retrievalRunRecord(r: RetrievalEvaluation, meta: RunMeta & { dir: string }): StoredEvalRun {
  const dir = resolve(meta.dir);
  const texts = queryTexts(dir);
  const items: EvalItem[] = r.perQuery.map((q) => ({
    itemId: q.queryId,
    input: texts.get(q.queryId) ?? '',
    output: { retrieved: (r.run.get(q.queryId) ?? []).slice(0, STORED_DOCS).map((d) => d.docId), relevant: q.relevant, returned: q.retrieved },
    scores: Object.fromEntries(RETRIEVAL_METRICS.map((m) => [m, q.metrics[m] ?? 0])),
    error: null,
  }));
  const metrics: Record<string, MetricSummary> = {};
  for (const m of RETRIEVAL_METRICS) metrics[m] = { mean: r.metrics[m], scored: items.length, failed: 0, skipped: 0 };
  const run: EvalRun = {
    id: newRunId('retrieval'),
    kind: 'retrieval',
    name: meta.name ?? null,
    dataset: meta.dataset || basename(dir),
    datasetHash: beirFolderHash(dir),
    config: { ...meta.config, mode: r.mode, pipeline: r.pipeline, embedder: r.embedder, documents: r.documents, latencyMs: r.latencyMs },
    metrics,
    notes: r.notes,
    createdAt: meta.createdAt ?? new Date().toISOString(),
    itemCount: items.length,
  };
  return { run, items };
}

