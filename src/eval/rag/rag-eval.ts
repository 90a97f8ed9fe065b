import type { Answer } from '../../rag/answer.js';
import { answerExtractively } from '../../rag/extractive-answer.js';
import { answerWithModel, buildAnswerPrompt } from '../../rag/generate-answer.js';
import { retrieve, type PipelineSteps } from '../../retrieve/pipeline.js';
import { formatPipeline } from '../../retrieve/pipeline-spec.js';
import type { QueryTransforms } from '../../retrieve/query/expand-query.js';
import type { RouteDecision, RouteMethod } from '../../retrieve/query/route-question.js';
import { shapeQuestion } from '../../retrieve/query/shape-question.js';
import type { SearchMode } from '../../retrieve/search.js';
import { isLoreError } from '../../spec/errors.js';
import type { EmbeddingModel, LanguageModel } from '../../spec/models.js';
import type { SearchHit, Store } from '../../spec/store.js';
import { countTokens } from '../../text/count-tokens.js';
import { judgeCorrectness, lexicalCorrectness } from './answer-correctness.js';
import { judgeRelevance, lexicalRelevance } from './answer-relevance.js';
import type { RetrievedContext } from './context-match.js';
import { judgeContextPrecision, lexicalContextPrecision } from './context-precision.js';
import { judgeContextRecall, lexicalContextRecall } from './context-recall.js';
import { judgeFaithfulness, lexicalFaithfulness } from './faithfulness.js';
import type { Judge, JudgeStats } from './judge.js';
import { judgeLanguage, type JudgeLanguage } from './judge-prompts.js';
import { failed, RAG_METRICS, skipped, summarize, type MetricMethod, type MetricResult, type MetricSummary, type RagMetric } from './metric-result.js';
import { extractStatements } from './statements.js';
import { testSetHash, type TestItem } from './test-set.js';

export interface EvaluateRagOptions {
  store: Store;
  items: TestItem[];
  /** Search only this collection (default: all). */
  collection?: string;
  mode?: SearchMode;
  /** Chunks retrieved per question (default 8, as `lore ask`). */
  k?: number;
  embedder?: EmbeddingModel;
  /** Steps after search (rerank, context, compress), as `lore eval retrieval --pipeline` and `retrieve()` take them. */
  pipeline?: PipelineSteps;
  /** Question-side steps, as `lore ask` runs them: multi-query and HyDE (with `transforms.model`). */
  transforms?: QueryTransforms & { model: LanguageModel };
  /** Pick the collection per question when `collection` is not given (see `shapeQuestion`). */
  route?: RouteMethod;
  /** Turn conditions in each question into filters (needs `queryModel`). */
  selfQuery?: boolean;
  /** The model for routing by model and self-query (usually the answer model). */
  queryModel?: LanguageModel;
  /** Writes the answers; without one they are extractive. */
  answerModel?: LanguageModel;
  answerMaxTokens?: number;
  /** Scores with a judge model; without one, with the lexical checks (see each metric). */
  judge?: Judge;
  /** Metrics to compute (default all five). */
  metrics?: readonly RagMetric[];
  /** Tokens of retrieved text shown to the judge per call, best passages first (default 3000). */
  maxContextTokens?: number;
  /** Items evaluated at once (default 1). */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface RagItemResult {
  id: string;
  question: string;
  reference?: string;
  language: JudgeLanguage;
  answer: string;
  answerMode: Answer['mode'];
  contexts: RetrievedContext[];
  /** What retrieval ran for this item (e.g. `keyword search (50)`, `rerank mmr:0.7`, `context window:1`), and its notes. */
  retrieval?: { steps: string[]; notes: string[]; query?: string; route?: RouteDecision };
  scores: Partial<Record<RagMetric, MetricResult>>;
  /** The pipeline failed for this item (search or answer): every metric is failed with this reason. */
  error?: string;
  ms: { retrieve: number; answer: number; judge: number };
}

export interface RagEvaluation {
  items: RagItemResult[];
  metrics: Partial<Record<RagMetric, MetricSummary>>;
  metricNames: RagMetric[];
  method: MetricMethod;
  answerer: string;
  judge: string | null;
  judgeStats?: JudgeStats;
  /** The steps after search, written as `--pipeline` takes them (`none` without steps). */
  pipeline: string;
  datasetHash: string;
  notes: string[];
}

const DEFAULT_K = 8;
const DEFAULT_CONTEXT_TOKENS = 3000;

/**
 * Runs the pipeline on every test item — retrieve, answer (with the model, or extractively) — and scores
 * each answer. With a judge: faithfulness (statements the judge extracts from the answer, each checked
 * against the retrieved passages), answer relevance (a rating), context precision (each passage useful for
 * the reference?), context recall (each reference sentence attributable to the passages?), answer
 * correctness (F1 of answer and reference statements). Without one, the lexical checks documented with
 * each metric. Scores are always in [0, 1]; failures and inapplicable metrics are counted, not averaged.
 */
export async function evaluateRag(o: EvaluateRagOptions): Promise<RagEvaluation> {
  const metricNames = [...(o.metrics ?? RAG_METRICS)];
  const results: RagItemResult[] = new Array(o.items.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    for (;;) {
      const index = next++;
      if (index >= o.items.length) return;
      results[index] = await evaluateItem(o, o.items[index]!, metricNames);
      o.onProgress?.(++done, o.items.length);
    }
  };
  const concurrency = Math.max(1, Math.min(o.concurrency ?? 1, o.items.length));
  await Promise.all(Array.from({ length: concurrency }, worker));

  const metrics: Partial<Record<RagMetric, MetricSummary>> = {};
  for (const m of metricNames) metrics[m] = summarize(results.map((r) => r.scores[m]));
  const notes: string[] = [];
  if (!o.judge) notes.push('No judge model: scores come from the lexical checks (term coverage, token F1), not from a model. Give --judge SPEC for judged scores.');
  if (!o.answerModel) notes.push('Answers are extractive (quoted sentences): faithfulness is high by construction.');
  const failures = metricNames.reduce((n, m) => n + (metrics[m]?.failed ?? 0), 0);
  if (failures > 0) notes.push(`${failures} metric score${failures === 1 ? '' : 's'} failed (judge or pipeline errors) and ${failures === 1 ? 'is' : 'are'} left out of the means.`);
  return {
    items: results,
    metrics,
    metricNames,
    method: o.judge ? 'judge' : 'lexical',
    answerer: o.answerModel ? o.answerModel.id : 'extractive',
    judge: o.judge ? o.judge.model.id : null,
    ...(o.judge ? { judgeStats: o.judge.stats } : {}),
    pipeline: formatPipeline(o.pipeline ?? {}),
    datasetHash: testSetHash(o.items),
    notes,
  };
}

function toContext(hit: SearchHit): RetrievedContext {
  return { chunkId: hit.chunkId, documentId: hit.documentId, source: hit.source, title: hit.title, text: hit.text, score: hit.score };
}

/** The best passages within the token budget (at least one). */
function withinBudget(texts: string[], budget: number): string[] {
  const out: string[] = [];
  let used = 0;
  for (const t of texts) {
    const cost = countTokens(t);
    if (out.length > 0 && used + cost > budget) break;
    out.push(t);
    used += cost;
  }
  return out;
}

async function evaluateItem(o: EvaluateRagOptions, item: TestItem, metricNames: RagMetric[]): Promise<RagItemResult> {
  const language = judgeLanguage(item.question);
  const base = { id: item.id, question: item.question, ...(item.reference ? { reference: item.reference } : {}), language };
  const ms = { retrieve: 0, answer: 0, judge: 0 };
  let hits: SearchHit[];
  let answer: Answer;
  let retrieval: RagItemResult['retrieval'];
  let t = performance.now();
  try {
    // The same steps as `lore ask`: routing and self-query shape the question, then search and the pipeline.
    // With none of them, this is the plain search.
    const shaped = await shapeQuestion({ question: item.question, store: o.store, filter: { collection: o.collection }, route: o.route, selfQuery: o.selfQuery, model: o.queryModel, embedder: o.embedder, signal: o.signal });
    const found = await retrieve({ store: o.store, query: shaped.query, k: o.k ?? DEFAULT_K, mode: o.mode, embedder: o.embedder, filter: shaped.filter, signal: o.signal, ...o.pipeline, transforms: o.transforms });
    hits = found.hits;
    retrieval = { steps: found.steps, notes: [...shaped.notes, ...found.notes], ...(shaped.query !== item.question ? { query: shaped.query } : {}), ...(shaped.route ? { route: shaped.route } : {}) };
    ms.retrieve = performance.now() - t;
    t = performance.now();
    if (o.answerModel && hits.length > 0) {
      // What the model was shown: the sources that fit its prompt budget.
      hits = buildAnswerPrompt({ question: item.question, hits }).sources;
      answer = await answerWithModel({ question: item.question, hits, model: o.answerModel, maxTokens: o.answerMaxTokens, signal: o.signal });
    } else answer = answerExtractively({ question: item.question, hits });
    ms.answer = performance.now() - t;
  } catch (error) {
    if (o.signal?.aborted || (isLoreError(error) && error.code === 'ABORTED')) throw error;
    const reason = `pipeline failed: ${error instanceof Error ? error.message : String(error)}`;
    const method: MetricMethod = o.judge ? 'judge' : 'lexical';
    const scores = Object.fromEntries(metricNames.map((m) => [m, failed(reason, method)]));
    return { ...base, answer: '', answerMode: o.answerModel ? 'generative' : 'extractive', contexts: [], scores, error: reason, ms };
  }
  const contexts = hits.map(toContext);
  t = performance.now();
  const scores = o.judge ? await judgeItem(o.judge, { item, answer, contexts, language, metricNames, budget: o.maxContextTokens ?? DEFAULT_CONTEXT_TOKENS }) : await lexicalItem({ item, answer, hits, contexts, metricNames });
  ms.judge = performance.now() - t;
  return { ...base, answer: answer.text, answerMode: answer.mode, contexts, retrieval, scores, ms };
}

async function judgeItem(
  judge: Judge,
  o: { item: TestItem; answer: Answer; contexts: RetrievedContext[]; language: JudgeLanguage; metricNames: RagMetric[]; budget: number },
): Promise<Partial<Record<RagMetric, MetricResult>>> {
  const { item, language } = o;
  const want = new Set(o.metricNames);
  const texts = withinBudget(
    o.contexts.map((c) => c.text),
    o.budget,
  );
  const shown = o.contexts.slice(0, texts.length);
  const scores: Partial<Record<RagMetric, MetricResult>> = {};
  if (want.has('faithfulness') || want.has('answer_correctness')) {
    const statements = await extractStatements(judge, { question: item.question, answer: o.answer.text, language });
    if (want.has('faithfulness')) scores.faithfulness = statements.ok ? await judgeFaithfulness(judge, { statements: statements.value, contexts: texts, language }) : failed(statements.reason, 'judge');
    if (want.has('answer_correctness')) {
      scores.answer_correctness = !item.reference
        ? skipped('no reference answer', 'judge')
        : statements.ok
          ? await judgeCorrectness(judge, { question: item.question, reference: item.reference, statements: statements.value, language })
          : failed(statements.reason, 'judge');
    }
  }
  if (want.has('answer_relevance')) scores.answer_relevance = await judgeRelevance(judge, { question: item.question, answer: o.answer.text, language });
  if (want.has('context_precision')) scores.context_precision = await judgeContextPrecision(judge, { question: item.question, reference: item.reference, answer: o.answer.text, contexts: texts, language });
  if (want.has('context_recall')) scores.context_recall = await judgeContextRecall(judge, { question: item.question, reference: item.reference, sources: item.contexts, retrieved: shown, language });
  return ordered(scores, o.metricNames);
}

async function lexicalItem(o: { item: TestItem; answer: Answer; hits: SearchHit[]; contexts: RetrievedContext[]; metricNames: RagMetric[] }): Promise<Partial<Record<RagMetric, MetricResult>>> {
  const { item } = o;
  const want = new Set(o.metricNames);
  const scores: Partial<Record<RagMetric, MetricResult>> = {};
  if (want.has('faithfulness')) scores.faithfulness = await lexicalFaithfulness({ answer: o.answer, hits: o.hits });
  if (want.has('answer_relevance')) scores.answer_relevance = lexicalRelevance({ question: item.question, answer: o.answer.text });
  if (want.has('context_precision')) scores.context_precision = lexicalContextPrecision({ reference: item.reference, sources: item.contexts, retrieved: o.contexts });
  if (want.has('context_recall')) scores.context_recall = await lexicalContextRecall({ question: item.question, reference: item.reference, sources: item.contexts, retrieved: o.contexts, hits: o.hits });
  if (want.has('answer_correctness')) scores.answer_correctness = lexicalCorrectness({ answer: o.answer.text, reference: item.reference });
  return ordered(scores, o.metricNames);
}

function ordered(scores: Partial<Record<RagMetric, MetricResult>>, names: RagMetric[]): Partial<Record<RagMetric, MetricResult>> {
  const out: Partial<Record<RagMetric, MetricResult>> = {};
  for (const m of names) if (scores[m]) out[m] = scores[m];
  return out;
}
