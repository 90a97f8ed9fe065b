import { InvalidArgumentError, Option, type Command } from 'commander';
import { readableText, type Answer, type Citation } from '../../rag/answer.js';
import { answerExtractively, DEFAULT_ANSWER_CHUNKS, DEFAULT_ANSWER_SENTENCES } from '../../rag/extractive-answer.js';
import { search, SEARCH_MODES, type SearchMode } from '../../retrieve/search.js';
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

interface AskCliOptions extends GgufCliOptions {
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
          const embedder = opts.mode === 'keyword' ? undefined : chooseEmbedder({ spec: opts.embedder, store, collection: opts.collection });
          const hits = await search({
            store,
            query: question,
            k: opts.k,
            mode: opts.mode,
            embedder,
            filter: { collection: opts.collection, source: opts.source, type: opts.type, metadata: opts.where },
          });
          const verify = async (answer: Answer) => {
            if (!opts.verify && !opts.judge) return;
            const judge = opts.judge ? resolveLanguageModel({ spec: opts.judge, ...modelEnvironment(), ...modelAccounting() }) : undefined;
            answer.verification = await verifyAnswer({ answer, hits, embedder, judge });
          };
          const modelSpec = opts.model ?? (process.env['LORE_MODEL'] || undefined);
          if (modelSpec && modelSpec !== 'extractive' && hits.length > 0) {
            const calls: CallRecord[] = [];
            const model = resolveLanguageModel({ spec: modelSpec, ...modelEnvironment(), ...modelAccounting(), gguf: ggufSettings(opts), onCall: (r) => calls.push(r) });
            // Streamed to the terminal as it is written; with --json the whole answer comes at the end.
            const answer = await answerWithModel({ question, hits, model, onText: global.json ? undefined : (delta) => process.stdout.write(delta) }).finally(() => model.close?.());
            const call = calls.at(-1);
            if (call) {
              answer.usage = call.usage;
              const { basis, usd, seconds, note } = call.cost;
              answer.cost = { basis, usd, seconds, note };
            }
            await verify(answer);
            await embedder?.close?.();
            if (global.json) printJson(answer);
            else printGenerated(answer);
            return;
          }
          const answer = answerExtractively({ question, hits, maxSentences: opts.sentences });
          await verify(answer);
          await embedder?.close?.();
          if (global.json) printJson(answer);
          else printAnswer(answer, hits.length);
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

function printGenerated(answer: Answer): void {
  const lines = [''];
  if (answer.citations.length > 0) lines.push('', ...answer.citations.map(formatCitation));
  process.stdout.write(lines.join('\n') + '\n');
  const usage = answer.usage ? ` · ${answer.usage.estimated ? '~' : ''}${answer.usage.inputTokens} input + ${answer.usage.outputTokens} output tokens` : '';
  const cost = answer.cost ? ` · ${answer.cost.usd !== null ? `$${answer.cost.usd.toFixed(answer.cost.usd < 0.01 ? 5 : 3)}` : answer.cost.note}` : '';
  const notes = [`Written by ${answer.model}${usage}${cost}.`];
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
