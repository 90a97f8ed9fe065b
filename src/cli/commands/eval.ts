import { Command, Option } from 'commander';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { evaluateRetrieval, RETRIEVAL_METRICS, type RetrievalEvaluation } from '../../eval/retrieval-eval.js';
import { writeTrecRun } from '../../eval/metrics.js';
import { SEARCH_MODES, type SearchMode } from '../../retrieve/search.js';
import type { PipelineSteps } from '../../retrieve/pipeline.js';
import { PIPELINE_SYNTAX } from '../../retrieve/pipeline-spec.js';
import { openStore } from '../../store/open-store.js';
import { resolveDbPath, type CommandContext, type GlobalOptions } from '../main.js';
import { createProgressBar } from '../progress-bar.js';
import { table } from '../format.js';
import { chooseEmbedder } from './embedder-option.js';
import { parseCount } from './parse-options.js';
import { printJson } from './open-store.js';
import { addRunOptions, checkRunOptions, finishRetrievalRun, type RunCliOptions } from './eval-run-options.js';
import { registerEvalRag } from './eval-rag.js';
import { registerEvalGenerate } from './eval-generate.js';
import { registerEvalRuns } from './eval-runs.js';
import { pipelineOption } from './pipeline-option.js';

interface EvalRetrievalOptions extends RunCliOptions {
  collection?: string;
  mode: SearchMode;
  k: number;
  runfile?: string;
  embedder?: string;
  expand?: boolean;
  vectorWeight?: number;
  pipeline?: PipelineSteps;
  progress: boolean;
}

export function registerEval(program: Command, context: CommandContext): void {
  const evalCommand = program.command('eval').description('measure retrieval and answer quality; store, compare and report runs');
  const retrieval = evalCommand
    .command('retrieval')
    .description('ingest a BEIR-layout test collection, run every judged query, print nDCG@10, Recall@10/100, MRR@10, MAP and latency')
    .argument('<dir>', 'folder with corpus.jsonl, queries.jsonl and qrels/test.tsv')
    .option('-c, --collection <name>', 'keep the index in this collection of --db (default: a throw-away database)')
    .addOption(new Option('--mode <mode>', 'retrieval mode').choices(SEARCH_MODES as string[]).default('hybrid'))
    .option('-k, --k <n>', 'documents ranked per query', parseCount, 100)
    .option('--runfile <path>', 'write the ranking as a TREC run file')
    .option('--embedder <spec>', 'embedding model for vector and hybrid modes: local (bundled, default) or none')
    .option('--expand', 'keyword side: pseudo-relevance feedback (on by default in hybrid mode)')
    .option('--no-expand', 'keyword side: no pseudo-relevance feedback')
    .addOption(new Option('--vector-weight <w>', 'hybrid: weight of the vector side, 0–1').argParser(Number))
    .option('--pipeline <steps>', 'steps after search: rerank, context, compress (see below), e.g. mmr:0.5,window:1', pipelineOption)
    .option('--no-progress', 'no progress bar')
    .addHelpText(
      'after',
      `\n--pipeline: ${PIPELINE_SYNTAX}\n\nExamples:\n  lore eval retrieval ../shared/datasets/cranfield --mode hybrid --runfile cranfield.run\n  lore eval retrieval ../shared/datasets/cranfield --pipeline mmr:0.9\n  lore eval retrieval ../shared/datasets/cmrc2018-trial --pipeline embedding,window:1`,
    )
    .action(async (dir: string, opts: EvalRetrievalOptions, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      checkRunOptions(opts, RETRIEVAL_METRICS);
      const throwAway = opts.collection === undefined;
      const tmp = throwAway ? mkdtempSync(join(tmpdir(), 'lore-eval-')) : undefined;
      const store = await openStore({ location: tmp ? join(tmp, 'eval.db') : resolveDbPath(global) });
      const bar = createProgressBar({ enabled: opts.progress && !global.json ? undefined : false });
      try {
        const collection = opts.collection ?? 'eval';
        const embedder = opts.mode === 'keyword' ? undefined : await chooseEmbedder({ spec: opts.embedder, store, collection });
        const result = await evaluateRetrieval({
          store,
          dir: resolve(dir),
          collection,
          mode: opts.mode,
          k: opts.k,
          embedder,
          feedback: command.getOptionValueSource('expand') === 'cli' ? opts.expand : undefined,
          fusion: opts.vectorWeight === undefined ? undefined : { vectorWeight: opts.vectorWeight },
          pipeline: opts.pipeline,
          onIngestProgress: (d, t) => bar.update(d, t, 'files indexed'),
          onEmbedProgress: (p) => bar.update(p.done, p.total, `chunks embedded (${p.cached} cached, ${p.skipped} skipped: language)`),
          onQueryProgress: (d, t) => bar.update(d, t, 'queries'),
        });
        bar.done();
        await embedder?.close?.();
        if (opts.runfile) writeFileSync(opts.runfile, writeTrecRun({ run: result.run, tag: `lore-${result.mode}`, order: 'given' }));
        if (global.json) printJson(toJson(result));
        else printEvaluation(result, dir);
        await finishRetrievalRun({ command, context, result, dir, opts, store: throwAway ? undefined : store });
      } finally {
        bar.done();
        await store.close();
        if (tmp) rmSync(tmp, { recursive: true, force: true });
      }
    });
  addRunOptions(retrieval);
  registerEvalRag(evalCommand, context);
  registerEvalGenerate(evalCommand, context);
  registerEvalRuns(evalCommand, context);
}

function toJson(r: RetrievalEvaluation) {
  const { run: _run, ingest: _ingest, ...rest } = r;
  return rest;
}

function printEvaluation(r: RetrievalEvaluation, dir: string): void {
  const f = (n: number) => n.toFixed(4);
  process.stdout.write(
    [
      `${basename(resolve(dir))}: ${r.documents} documents, ${r.queries} judged queries · mode ${r.mode}${r.pipeline !== 'none' ? ` · pipeline ${r.pipeline}` : ''}${r.embedder ? ` · embedder ${r.embedder}` : ''}`,
      '',
      table([[...RETRIEVAL_METRICS.map((m) => m.toUpperCase())], RETRIEVAL_METRICS.map((m) => f(r.metrics[m]))]),
      '',
      `index ${(r.indexMs / 1000).toFixed(1)} s${r.embedMs ? ` · embedding ${(r.embedMs / 1000).toFixed(1)} s` : ''} · query latency p50 ${r.latencyMs.p50.toFixed(1)} ms, p95 ${r.latencyMs.p95.toFixed(1)} ms`,
      ...r.notes.map((n) => `note: ${n}`),
    ].join('\n') + '\n',
  );
}
