import { InvalidArgumentError, Option, type Command } from 'commander';
import { readableText, type Answer, type Citation } from '../../rag/answer.js';
import { answerExtractively, DEFAULT_ANSWER_CHUNKS, DEFAULT_ANSWER_SENTENCES } from '../../rag/extractive-answer.js';
import { SEARCH_MODES, type SearchMode } from '../../retrieve/search.js';
import { retrieve } from '../../retrieve/pipeline.js';
import { CONTEXT_MODES, expandContext, type ContextMode } from '../../retrieve/expand-context.js';
import { createLlmReranker } from '../../retrieve/rerank/llm-rerank.js';
import { shapeQuestion } from '../../retrieve/query/shape-question.js';
import { guardHits } from '../../guard/guard-hits.js';
import { withGuard } from '../../guard/with-guard.js';
import { chooseEmbedder } from './embedder-option.js';
import { answerWithModel } from '../../rag/generate-answer.js';
import { verifyAnswer } from '../../rag/verify-citations.js';
import { resolveLanguageModel } from '../../models/resolve-model.js';
import { LoreError } from '../../spec/errors.js';
import { displayPath, oneLine } from '../format.js';
import type { CommandContext } from '../main.js';
import { collectWhere } from './parse-options.js';
import { modelAccounting, modelEnvironment } from './model-environment.js';
import { addGgufOptions, ggufSettings, type GgufCliOptions } from './gguf-options.js';
import type { CallRecord } from '../../models/middleware/with-usage.js';
import { printJson, withStore } from './open-store.js';
import { addQueryStepOptions, queryStepsNeedModel, queryTransforms, requireModelForSteps, type QueryStepCliOptions } from './query-step-options.js';

interface AskCliOptions extends GgufCliOptions, QueryStepCliOptions {
  k: number;
  collection?: string;
  source?: string;
  type?: string;
  where?: Record<string, string | number | boolean>;
  sentences: number;
  mode: SearchMode;
  embedder?: string;
  model?: string;
  verify?: boolean;
  judge?: string;
  rerank: 'none' | 'mmr' | 'embedding' | 'llm';
  context?: 'none' | ContextMode;
  compress?: number | true;
  guard: boolean;
}

function parsePositive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
}

export function registerAsk(program: Command, _context: CommandContext): void {
  const command = program.command('ask');
  addGgufOptions(command);
  command
    .description('answer a question from the ingested documents, quoting the sentences that answer it, with citations')
    .argument('<question>', 'the question, in English or Chinese')
    .option('-k, --k <n>', 'chunks retrieved to answer from', parsePositive, DEFAULT_ANSWER_CHUNKS)
    .option('-c, --collection <name>', 'only this collection')
    .option('--source <glob>', 'only documents whose path matches this glob, e.g. "**/manuals/*.pdf"')
    .option('--type <type>', 'only this document type: pdf, docx, html, markdown, csv, json, jsonl, text, code')
    .option('--where <key=value>', 'only chunks whose metadata field equals the value (repeatable)', collectWhere)
    .option('--sentences <n>', 'sentences quoted at most', parsePositive, DEFAULT_ANSWER_SENTENCES)
    .addOption(new Option('--mode <mode>', 'retrieval mode').choices(SEARCH_MODES as string[]).default('hybrid'))
    .option('--embedder <spec>', "embedding model for retrieval: local, none; default: the collection's")
    .option('--verify', 'check each sentence of the answer against the retrieved passages and flag the unsupported ones')
    .option('--judge <spec>', 'with --verify: a model that judges support (default: a lexical check, plus the embedder for English)')
    .addOption(new Option('--rerank <kind>', 'rerank candidates: mmr (diversity), embedding, llm (the model grades them)').choices(['none', 'mmr', 'embedding', 'llm']).default('none'))
    .addOption(new Option('--context <mode>', 'give the model more than each chunk: window (neighbours) or parent (its section); default window with a model').choices(['none', ...CONTEXT_MODES]))
    .option('--compress [tokens]', 'keep only the sentences that bear on the question, within this many tokens in all (default 1000)', parsePositive)
    .option('--no-guard', 'with a model: keep retrieved passages flagged as instructions or hidden text, and links in the answer');
  addQueryStepOptions(command);
  command
    .option('--model <spec>', 'write the answer with a language model: ollama:MODEL, openai:MODEL, anthropic:MODEL, openai-compatible:URL#MODEL, gguf:PATH (default: $LORE_MODEL; none: extractive)')
    .addHelpText(
      'after',
      [
        '',
        'Without a language model the answer is extractive: the sentences of your documents that best answer',
        'the question, in reading order, each followed by a citation [n] to the exact passage.',
        '',
        'Examples:',
        '  lore ask "How often should the gearbox oil be replaced?"',
        '  lore ask "齿轮油多久更换一次？" --sentences 1',
        '  lore ask "叶片多久检查一次？" -c manuals --json',
        '  lore ask "what torque for the blade bolts" --type pdf --where year=2023 -k 12',
      ].join('\n'),
    )
    .action(async (question: string, opts: AskCliOptions, command: Command) => {
      if (!question.trim()) throw new LoreError({ code: 'INVALID_ARGUMENT', message: 'the question is empty', hint: 'lore ask "your question"' });
      await withStore(
        command,
        async (store, global) => {
          const modelSpec = opts.model ?? (process.env['LORE_MODEL'] || undefined);
          const calls: CallRecord[] = [];
          const resolved =
            modelSpec && modelSpec !== 'extractive'
              ? resolveLanguageModel({ spec: modelSpec, ...modelEnvironment(), ...modelAccounting(), gguf: ggufSettings(opts), onCall: (r) => calls.push(r) })
              : undefined;
          // The operator typed the question; what the documents say is untrusted. So the input check is off,
          // and the output is cleaned: secrets redacted, images and links to other hosts stripped.
          const model = resolved && opts.guard ? withGuard(resolved, { input: 'off' }) : resolved;
          requireModelForSteps(opts.rerank === 'llm' || queryStepsNeedModel(opts), model);
          const embedder = opts.mode === 'keyword' && opts.route !== 'embedding' ? undefined : await chooseEmbedder({ spec: opts.embedder, store, collection: opts.collection });
          const shaped = await shapeQuestion({
            question,
            store,
            filter: { collection: opts.collection, source: opts.source, type: opts.type, metadata: opts.where },
            route: opts.route,
            selfQuery: opts.selfQuery,
            model,
            embedder,
          });
          const { query, filter, route } = shaped;
          // With a model, each source comes with its neighbouring chunks: measured on CMRC, the answer is in the
          // context more often than with more chunks of the same size (docs/benchmarks.md, retrieval steps).
          const contextMode = opts.context ?? (model ? 'window' : 'none');
          const retrieval = await retrieve({
            store,
            query,
            k: opts.k,
            mode: opts.mode,
            embedder: opts.mode === 'keyword' ? undefined : embedder,
            filter,
            rerank: opts.rerank === 'llm' ? createLlmReranker({ model: model! }) : opts.rerank,
            compress: opts.compress === undefined ? undefined : { maxTokens: opts.compress === true ? undefined : opts.compress },
            transforms: queryTransforms(opts, model),
          });
          const retrieved = retrieval.hits;
          // Expanded here rather than in retrieve(), so citations can point at the chunks that matched.
          // Passages flagged as instructions to the model or hidden text never reach a model's prompt.
          const guarded = model && opts.guard ? guardHits({ hits: retrieved }) : { hits: retrieved, flagged: [] };
          if (guarded.flagged.length > 0) retrieval.notes.push(`guard: left out ${guarded.flagged.length} passage(s) that read as instructions or hide text (--no-guard keeps them)`);
          const hits = contextMode === 'none' ? guarded.hits : await expandContext({ store, hits: guarded.hits, mode: contextMode });
          if (contextMode !== 'none') retrieval.steps.push(`context ${contextMode}`);
          const retrievalReport = { steps: retrieval.steps, notes: [...shaped.notes, ...retrieval.notes], ...(route ? { route } : {}), ...(query !== question ? { query } : {}) };
          const verify = async (answer: Answer) => {
            if (!opts.verify && !opts.judge) return;
            const judge = opts.judge ? resolveLanguageModel({ spec: opts.judge, ...modelEnvironment(), ...modelAccounting() }) : undefined;
            answer.verification = await verifyAnswer({ answer, hits: answer.mode === 'generative' ? hits : retrieved, embedder, judge });
          };
          try {
            if (model && hits.length > 0) {
              // Streamed to the terminal as it is written; with --json the whole answer comes at the end.
              const before = calls.length;
              const answer = await answerWithModel({ question, hits, citeFrom: retrieved, model, onText: global.json ? undefined : (delta) => process.stdout.write(delta) });
              addAccounting(answer, calls, before);
              await verify(answer);
              if (global.json) printJson({ ...answer, retrieval: retrievalReport });
              else printGenerated(answer, retrievalReport.notes);
              return;
            }
            const answer = answerExtractively({ question, hits: retrieved, maxSentences: opts.sentences });
            await verify(answer);
            if (global.json) printJson({ ...answer, retrieval: retrievalReport });
            else printAnswer(answer, hits.length);
          } finally {
            await embedder?.close?.();
            await model?.close?.();
          }
        },
        { readonly: true },
      );
    });
}

function printAnswer(answer: Answer, retrieved: number): void {
  const lines = [answer.text];
  if (answer.citations.length > 0) lines.push('', ...answer.citations.map(formatCitation));
  process.stdout.write(lines.join('\n') + '\n');
  const notes: string[] = [];
  if (retrieved === 0) notes.push('Nothing matched the question. Try other words, or check `lore collections`.');
  if (answer.note) notes.push(answer.note);
  if (notes.length) process.stderr.write(`\n${dim(notes.join('\n'))}\n`);
  printVerification(answer);
}

/**
 * The answer's usage and cost: the writing call's, with the calls retrieval made for it (rephrasings,
 * rerank grades) added, so the total is what the question cost.
 */
function addAccounting(answer: Answer, calls: CallRecord[], answerCall: number): void {
  if (calls.length === 0) return;
  const writing = calls[answerCall] ?? calls.at(-1)!;
  const sum = (f: (c: CallRecord) => number) => calls.reduce((n, c) => n + f(c), 0);
  answer.usage = { inputTokens: sum((c) => c.usage.inputTokens), outputTokens: sum((c) => c.usage.outputTokens), ...(calls.some((c) => c.usage.estimated) ? { estimated: true } : {}) };
  const usd = calls.every((c) => c.cost.usd !== null) ? sum((c) => c.cost.usd!) : null;
  const seconds = Math.round(sum((c) => c.cost.seconds) * 1000) / 1000;
  answer.cost = { basis: writing.cost.basis, usd, seconds, note: calls.length > 1 ? `${writing.cost.note}; ${calls.length} calls` : writing.cost.note };
}

function printGenerated(answer: Answer, retrievalNotes: string[] = []): void {
  const lines = [''];
  if (answer.citations.length > 0) lines.push('', ...answer.citations.map(formatCitation));
  process.stdout.write(lines.join('\n') + '\n');
  const usage = answer.usage ? ` · ${answer.usage.estimated ? '~' : ''}${answer.usage.inputTokens} input + ${answer.usage.outputTokens} output tokens` : '';
  const cost = answer.cost ? ` · ${answer.cost.usd !== null ? `$${answer.cost.usd.toFixed(answer.cost.usd < 0.01 ? 5 : 3)}` : answer.cost.note}` : '';
  const notes = [`Written by ${answer.model}${usage}${cost}.`, ...retrievalNotes];
  if (answer.note) notes.push(answer.note);
  process.stderr.write(`\n${dim(notes.join('\n'))}\n`);
  printVerification(answer);
}

/** The verification summary, then each flagged sentence with what the sources actually say. */
function printVerification(answer: Answer): void {
  const v = answer.verification;
  if (!v) return;
  const lines = [`Checked: ${v.supported} of ${v.claims} statements supported by the sources (${v.method}${v.judge ? `, judged by ${v.judge.model}` : ''}).`];
  for (const flag of v.flagged) {
    const s = v.sentences[flag.index]!;
    lines.push(`  ✗ ${flag.reason}: “${oneLine(flag.sentence, 120)}”`);
    if (flag.reason === 'miscited' && s.support[0]) lines.push(`      cites [${s.cited.join('][')}], supported by [${s.support[0].n}] ${displayPath(s.support[0].source)}`);
    else if (s.closest) {
      const missing = s.missingNumbers?.length ? ` (the sources do not say ${s.missingNumbers.join(', ')})` : '';
      lines.push(`      closest: ${displayPath(s.closest.source)} “${oneLine(readableText(s.closest.quote), 120)}”${missing}`);
    }
  }
  for (const note of v.notes) lines.push(`  note: ${note}`);
  process.stderr.write(lines.join('\n') + '\n');
}

/** `[1] path (p. 3 · Heading › Sub) “quote…”` */
export function formatCitation(c: Citation): string {
  const where = [c.page ? `p. ${c.page}` : '', c.headingPath.join(' › ')].filter(Boolean).join(' · ');
  return `[${c.n}] ${displayPath(c.source)}${where ? ` (${where})` : ''} “${oneLine(readableText(c.quote), 160)}”`;
}

function dim(text: string): string {
  return process.stderr.isTTY && !process.env['NO_COLOR'] ? `\x1b[2m${text}\x1b[22m` : text;
}
