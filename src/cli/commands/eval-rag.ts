import { InvalidArgumentError, Option, type Command } from 'commander';
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { evaluateRag, type RagEvaluation } from '../../eval/rag/rag-eval.js';
import { createJudge } from '../../eval/rag/judge.js';
import { RAG_METRICS, type RagMetric } from '../../eval/rag/metric-result.js';
import { readTestSet } from '../../eval/rag/test-set.js';
import { ragRunRecord } from '../../eval/runs/run-records.js';
import { DEFAULT_ANSWER_CHUNKS } from '../../rag/extractive-answer.js';
import { resolveLanguageModel } from '../../models/resolve-model.js';
import { SEARCH_MODES, type SearchMode } from '../../retrieve/search.js';
import type { PipelineSteps } from '../../retrieve/pipeline.js';
import { PIPELINE_SYNTAX } from '../../retrieve/pipeline-spec.js';
import { LoreError } from '../../spec/errors.js';
import type { LanguageModel } from '../../spec/models.js';
import { isPostgresLocation, openStore } from '../../store/open-store.js';
import { table } from '../format.js';
import { resolveDbPath, type CommandContext, type GlobalOptions } from '../main.js';
import { createProgressBar } from '../progress-bar.js';
import { chooseEmbedder } from './embedder-option.js';
import { addGgufOptions, ggufSettings, type GgufCliOptions } from './gguf-options.js';
import { modelAccounting, modelEnvironment } from './model-environment.js';
import { printJson } from './open-store.js';
import { parseCount } from './parse-options.js';
import { addRunOptions, checkRunOptions, finishRun, type RunCliOptions } from './eval-run-options.js';
import { normalizeMetricName } from '../../eval/runs/fail-below.js';
import { pipelineOption } from './pipeline-option.js';
import { addQueryStepOptions, formatQuerySteps, queryStepsNeedModel, queryTransforms, requireModelForSteps, type QueryStepCliOptions } from './query-step-options.js';

interface EvalRagOptions extends GgufCliOptions, RunCliOptions, QueryStepCliOptions {
  collection?: string;
  mode: SearchMode;
  k: number;
  embedder?: string;
  pipeline?: PipelineSteps;
  model?: string;
  maxTokens?: number;
  judge?: string;
  judgeMaxTokens?: number;
  metrics?: RagMetric[];
  limit?: number;
  concurrency: number;
  progress: boolean;
}

function metricsOption(value: string): RagMetric[] {
  const names = value.split(',').map(normalizeMetricName).filter(Boolean);
  for (const n of names) if (!(RAG_METRICS as readonly string[]).includes(n)) throw new InvalidArgumentError(`unknown metric "${n}": use ${RAG_METRICS.join(', ')}`);
  return names as RagMetric[];
}

function positive(value: string): number {
  const n = parseCount(value);
  if (n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
}

/** `lore eval rag <testset>`: the pipeline on every question, scored by a judge model (or lexically). */
export function registerEvalRag(evalCommand: Command, context: CommandContext): void {
  const command = evalCommand
    .command('rag')
    .description('answer every question of a test set from --db and score the answers: faithfulness, answer relevance, context precision, context recall, answer correctness')
    .argument('<testset>', 'JSON Lines: {"id", "question", "reference", "source_chunks"} per line (Ragas field names accepted); see `lore eval generate`')
    .option('-c, --collection <name>', 'search only this collection (default: all)')
    .addOption(new Option('--mode <mode>', 'retrieval mode').choices(SEARCH_MODES as string[]).default('hybrid'))
    .option('-k, --k <n>', 'chunks retrieved per question', positive, DEFAULT_ANSWER_CHUNKS)
    .option('--embedder <spec>', "embedding model for retrieval: local, none; default: the collection's")
    .option('--pipeline <steps>', 'steps after search, as `lore eval retrieval` takes them (see below), e.g. mmr:0.5,window:1; default: window:1 with --model, as `lore ask`, else none', pipelineOption);
  addQueryStepOptions(command);
  command
    .option('--model <spec>', 'write the answers with this model, which also runs --multi-query, --hyde, --self-query, --route model (default: $LORE_MODEL; extractive: quoted sentences, no model)')
    .option('--max-tokens <n>', 'answer model: tokens per answer', positive)
    .option('--judge <spec>', 'score with this judge model, e.g. ollama:qwen2.5:7b, gguf:./judge.gguf (default: lexical checks, no model)')
    .option('--judge-max-tokens <n>', 'judge: tokens per reply (default: what each reply needs)', positive)
    .option('--metrics <list>', `metrics to compute, comma-separated (default: all of ${RAG_METRICS.join(', ')})`, metricsOption)
    .option('--limit <n>', 'only the first n questions', positive)
    .option('--concurrency <n>', 'questions evaluated at once (remote models)', positive, 1)
    .option('--no-progress', 'no progress bar');
  addGgufOptions(command);
  addRunOptions(command);
  command
    .addHelpText(
      'after',
      [
        '',
        'Scores are in [0, 1]. A judge reply that fails (invalid after a repair turn, or the call errors) is',
        'recorded for that question and metric and left out of the mean; the summary counts failures. With',
        '--fail-below the command exits 1 when a mean is below its threshold (a CI gate).',
        '',
        'Retrieval runs the steps `lore ask` runs: --route and --self-query shape each question, --multi-query and',
        '--hyde add searches, and --pipeline the steps after search; the judge sees the passages they hand back',
        '(with window:1, each hit with its neighbouring chunks). The stored run records the pipeline and query',
        'steps, so `lore eval compare` shows which each run used.',
        '',
        `--pipeline: ${PIPELINE_SYNTAX}`,
        '',
        'Examples:',
        '  lore eval generate -c docs -n 50 --out testset.jsonl',
        '  lore eval rag testset.jsonl -c docs --judge ollama:qwen2.5:7b --report eval.html',
        '  lore eval rag testset.jsonl -c docs --model ollama:qwen2.5:7b --judge openai:gpt-4o-mini --compare latest --fail-below faithfulness=0.8',
        '  lore eval rag testset.jsonl -c docs --pipeline mmr,window:1 --name mmr-window && lore eval compare latest~1 mmr-window',
        '  lore eval rag testset.jsonl -c docs --model ollama:qwen2.5:7b --multi-query 3 --pipeline none',
      ].join('\n'),
    )
    .action(async (testset: string, opts: EvalRagOptions, cmd: Command) => {
      const global = cmd.optsWithGlobals<GlobalOptions>();
      checkRunOptions(opts, opts.metrics ?? RAG_METRICS);
      const path = resolveDbPath(global);
      if (!isPostgresLocation(path) && !existsSync(path)) {
        throw new LoreError({ code: 'NOT_FOUND', message: `No database at ${path}`, hint: 'ingest the documents the test set is about first: lore ingest PATH -c NAME', subject: path });
      }
      let items = await readTestSet(resolve(testset));
      if (opts.limit) items = items.slice(0, opts.limit);
      const store = await openStore({ location: path });
      const bar = createProgressBar({ enabled: opts.progress && !global.json ? undefined : false });
      const models: LanguageModel[] = [];
      try {
        if (opts.collection && !(await store.getCollection(opts.collection))) {
          throw new LoreError({ code: 'NOT_FOUND', message: `No collection "${opts.collection}"`, hint: 'see `lore collections`', subject: opts.collection });
        }
        const embedder = opts.mode === 'keyword' && opts.route !== 'embedding' ? undefined : await chooseEmbedder({ spec: opts.embedder, store, collection: opts.collection });
        const resolveModel = (spec: string) => {
          const model = resolveLanguageModel({ spec, ...modelEnvironment(), ...modelAccounting(), gguf: ggufSettings(opts) });
          models.push(model);
          return model;
        };
        const answerSpec = opts.model ?? (process.env['LORE_MODEL'] || undefined);
        const answerModel = answerSpec && answerSpec !== 'extractive' ? resolveModel(answerSpec) : undefined;
        const judgeSpec = opts.judge && opts.judge !== 'none' ? opts.judge : undefined;
        // The same spec for both is one model: a local model is loaded once.
        const judgeModel = judgeSpec ? (judgeSpec === answerSpec && answerModel ? answerModel : resolveModel(judgeSpec)) : undefined;
        requireModelForSteps(queryStepsNeedModel(opts), answerModel);
        // As `lore ask`: with a model writing the answers, each hit comes with its neighbouring chunks.
        const pipeline: PipelineSteps = opts.pipeline ?? (answerModel ? { context: { mode: 'window', window: 1 } } : {});
        const evaluation = await evaluateRag({
          store,
          items,
          collection: opts.collection,
          mode: opts.mode,
          k: opts.k,
          embedder,
          pipeline,
          transforms: queryTransforms(opts, answerModel),
          route: opts.route,
          selfQuery: opts.selfQuery,
          queryModel: answerModel,
          answerModel,
          answerMaxTokens: opts.maxTokens,
          judge: judgeModel ? createJudge({ model: judgeModel, maxTokens: opts.judgeMaxTokens }) : undefined,
          metrics: opts.metrics,
          concurrency: opts.concurrency,
          onProgress: (d, t) => bar.update(d, t, 'questions'),
        });
        bar.done();
        await embedder?.close?.();
        const config = {
          collection: opts.collection ?? null,
          mode: opts.mode,
          k: opts.k,
          embedder: embedder?.id ?? null,
          pipeline: evaluation.pipeline,
          querySteps: formatQuerySteps(opts),
          ...(opts.limit ? { limit: opts.limit } : {}),
        };
        const stored = ragRunRecord(evaluation, { dataset: basename(testset), name: opts.name, config });
        if (global.json) printJson(stored);
        else printRagEvaluation(evaluation, testset, config.querySteps);
        await finishRun({ stored, opts, context, db: store, json: global.json });
      } finally {
        bar.done();
        for (const m of models) await m.close?.();
        await store.close();
      }
    });
}

function printRagEvaluation(e: RagEvaluation, testset: string, querySteps: string): void {
  const rows = [['METRIC', 'MEAN', 'SCORED', 'FAILED', 'SKIPPED']];
  for (const m of e.metricNames) {
    const s = e.metrics[m]!;
    rows.push([m, s.mean === null ? 'n/a' : s.mean.toFixed(4), String(s.scored), String(s.failed), String(s.skipped)]);
  }
  const judge = e.judge ? `judge ${e.judge}` : 'lexical checks (no judge)';
  const stats = e.judgeStats ? ` · ${e.judgeStats.calls} judge calls, ${e.judgeStats.failures} failed, ${e.judgeStats.inputTokens} + ${e.judgeStats.outputTokens} tokens` : '';
  process.stdout.write(
    [
      `${basename(testset)}: ${e.items.length} questions · answers ${e.answerer}${querySteps !== 'none' ? ` · ${querySteps}` : ''}${e.pipeline !== 'none' ? ` · pipeline ${e.pipeline}` : ''} · ${judge}${stats}`,
      '',
      table(rows),
      '',
      ...e.notes.map((n) => `note: ${n}`),
    ].join('\n') + '\n',
  );
}
