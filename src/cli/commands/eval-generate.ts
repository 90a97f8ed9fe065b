import { InvalidArgumentError, type Command } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { generateTestSet, QUESTION_TYPES, type QuestionType } from '../../eval/generate-testset.js';
import { testItemLine } from '../../eval/rag/test-set.js';
import { DEFAULT_COLLECTION } from '../../ingest/ingest.js';
import { resolveLanguageModel } from '../../models/resolve-model.js';
import { readCollectionChunks } from '../../store/collection-chunks.js';
import { displayPath } from '../format.js';
import type { CommandContext } from '../main.js';
import { addGgufOptions, ggufSettings, type GgufCliOptions } from './gguf-options.js';
import { modelAccounting, modelEnvironment } from './model-environment.js';
import { printJson, withStore } from './open-store.js';
import { parseCount } from './parse-options.js';

interface EvalGenerateOptions extends GgufCliOptions {
  collection: string;
  n: number;
  model?: string;
  out?: string;
  seed: number;
  types?: QuestionType[];
}

function typesOption(value: string): QuestionType[] {
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) if (!(QUESTION_TYPES as readonly string[]).includes(n)) throw new InvalidArgumentError(`unknown question type "${n}": use ${QUESTION_TYPES.join(', ')}`);
  return names as QuestionType[];
}

function atLeastOne(value: string): number {
  const n = parseCount(value);
  if (n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
}

/** `lore eval generate`: a test set of question / reference / source-chunk triples from a collection. */
export function registerEvalGenerate(evalCommand: Command, _context: CommandContext): void {
  const command = evalCommand
    .command('generate')
    .description('make a test set for `lore eval rag` from a collection: questions, reference answers and their source chunks, in the documents\' language')
    .option('-c, --collection <name>', 'the collection to make questions from', DEFAULT_COLLECTION)
    .option('-n, --n <count>', 'questions wanted', atLeastOne, 50)
    .option('--model <spec>', 'a model writes the questions (default: the offline template generator, no model)')
    .option('--out <file>', 'write the test set here (default: standard output)')
    .option('--seed <n>', 'seed for the choice of passages and templates', parseCount, 1)
    .option('--types <list>', `question types, comma-separated (default: ${QUESTION_TYPES.join(',')})`, typesOption);
  addGgufOptions(command);
  command
    .addHelpText(
      'after',
      [
        '',
        'Types: factual (one passage states the answer), multi-chunk (two related passages), paraphrased (asks',
        'without quoting the passage). Near-duplicate questions are dropped; a question is kept only when its',
        'reference answer is stated by its source chunks and it is neither trivially short nor long. Chinese',
        'chunks give Chinese questions. Without --model the questions come from templates over the documents\'',
        'own sentences (cloze, "what is…", key terms): deterministic and offline, but plainer than a model\'s.',
        '',
        'Examples:',
        '  lore eval generate -c docs -n 50 --out testset.jsonl',
        '  lore eval generate -c docs -n 30 --model ollama:qwen2.5:7b --out testset.jsonl',
      ].join('\n'),
    )
    .action(async (opts: EvalGenerateOptions, cmd: Command) => {
      await withStore(
        cmd,
        async (store, global) => {
          const chunks = await readCollectionChunks({ store, collection: opts.collection });
          const model = opts.model ? resolveLanguageModel({ spec: opts.model, ...modelEnvironment(), ...modelAccounting(), gguf: ggufSettings(opts) }) : undefined;
          try {
            const set = await generateTestSet({ chunks, n: opts.n, model, seed: opts.seed, types: opts.types });
            const text = set.items.map(testItemLine).join('\n') + (set.items.length ? '\n' : '');
            const summary = {
              collection: opts.collection,
              questions: set.items.length,
              wanted: opts.n,
              generator: set.generator,
              byType: set.byType,
              byLanguage: set.byLanguage,
              rejected: set.rejected,
              duplicates: set.duplicates,
              failures: set.failures,
              notes: set.notes,
            };
            if (opts.out) {
              const path = resolve(opts.out);
              mkdirSync(dirname(path), { recursive: true });
              writeFileSync(path, text);
              if (global.json) printJson({ ...summary, out: path });
              else process.stdout.write(`${describe(summary)}\nwrote ${displayPath(path)}\n`);
            } else {
              process.stdout.write(text);
              if (!global.json) process.stderr.write(`${describe(summary)}\n`);
            }
          } finally {
            await model?.close?.();
          }
        },
        { readonly: true },
      );
    });
}

function describe(s: { questions: number; wanted: number; generator: string; byType: Record<string, number>; byLanguage: Record<string, number | undefined>; rejected: Record<string, number>; duplicates: number; notes: string[] }): string {
  const types = Object.entries(s.byType)
    .filter(([, n]) => n > 0)
    .map(([t, n]) => `${n} ${t}`)
    .join(', ');
  const languages = Object.entries(s.byLanguage)
    .map(([l, n]) => `${n} ${l === 'zh' ? 'Chinese' : 'English'}`)
    .join(', ');
  const rejected = Object.values(s.rejected).reduce((a, b) => a + b, 0);
  return [
    `${s.questions} of ${s.wanted} questions (${types || 'none'}; ${languages || 'no language'}) by ${s.generator === 'template' ? 'the offline template generator' : s.generator} · ${rejected} rejected by the quality filter, ${s.duplicates} near-duplicates dropped`,
    ...s.notes.map((n) => `note: ${n}`),
  ].join('\n');
}
