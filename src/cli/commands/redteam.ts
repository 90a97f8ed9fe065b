import { writeFileSync } from 'node:fs';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { createObedientModel } from '../../guard/redteam/obedient-model.js';
import { PROBE_FAMILIES, type ProbeFamily } from '../../guard/redteam/probes.js';
import { renderRedteamHtml } from '../../guard/redteam/redteam-html.js';
import { runRedteam, type RedteamReport } from '../../guard/redteam/run-redteam.js';
import { resolveLanguageModel } from '../../models/resolve-model.js';
import type { LanguageModel } from '../../spec/models.js';
import { LoreError } from '../../spec/errors.js';
import { EXIT } from '../exit-codes.js';
import type { CommandContext, GlobalOptions } from '../main.js';
import { addGgufOptions, ggufSettings, type GgufCliOptions } from './gguf-options.js';
import { modelAccounting, modelEnvironment } from './model-environment.js';
import { parseCount } from './parse-options.js';
import { printJson } from './open-store.js';

interface RedteamCliOptions extends GgufCliOptions {
  model: string;
  url?: string;
  urlModel: string;
  target: 'pipeline' | 'model';
  guard: 'on' | 'off' | 'both';
  families?: ProbeFamily[];
  attempts: number;
  maxTokens: number;
  out?: string;
  html?: string;
  failAbove?: number;
}

function parseFamilies(value: string): ProbeFamily[] {
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const name of names) {
    if (!(PROBE_FAMILIES as readonly string[]).includes(name)) throw new InvalidArgumentError(`unknown family "${name}"; families: ${PROBE_FAMILIES.join(', ')}`);
  }
  return names as ProbeFamily[];
}

function parseRate(value: string): number {
  const n = Number(value);
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError('expected a rate from 0 to 1, e.g. 0.05');
  return n;
}

export function registerRedteam(program: Command, context: CommandContext): void {
  const command = program.command('redteam');
  addGgufOptions(command);
  command
    .description('attack a model or Lore pipeline with fixed probe families and report the attack success rate per family')
    .option('--model <spec>', 'the model under test: obedient (built in: obeys every instruction, the worst case), gguf:PATH, ollama:MODEL, openai-compatible:URL#MODEL…', 'obedient')
    .option('--url <url>', 'shorthand for --model openai-compatible:URL#NAME (any OpenAI-compatible server)')
    .option('--url-model <name>', 'with --url: the model name to request', 'default')
    .addOption(new Option('--target <target>', 'pipeline: retrieval over planted documents + answer prompt; model: the model alone with the documents as sources').choices(['pipeline', 'model']).default('pipeline'))
    .addOption(new Option('--guard <mode>', "run with Lore's guards, without, or both for comparison").choices(['on', 'off', 'both']).default('both'))
    .option('--families <list>', `only these families (comma-separated): ${PROBE_FAMILIES.join(', ')}`, parseFamilies)
    .option('--attempts <n>', 'tries per probe; a probe counts as broken if any try succeeds', parseCount, 1)
    .option('--max-tokens <n>', 'output tokens per answer', parseCount, 256)
    .option('--out <file>', 'write the JSON report to this file')
    .option('--html <file>', 'write an HTML report to this file')
    .option('--fail-above <rate>', 'exit with code 1 if any family of any run has an attack success rate above this (0–1), for CI', parseRate)
    .addHelpText(
      'after',
      `
Probes are fixed prompt sets with a detector each (a marker the answer must not contain, the system prompt's
canary, planted personal data, a dangerous tool call). Everything runs offline on a temporary database.

Examples:
  lore redteam                                   (the obedient worst-case model, with and without guards)
  lore redteam --model gguf:./models/qwen.gguf --guard on --fail-above 0.1
  lore redteam --url http://localhost:8000/v1 --url-model my-model --target model --html report.html`,
    )
    .action(async (opts: RedteamCliOptions, cmd: Command) => {
      const global = cmd.optsWithGlobals<GlobalOptions>();
      const spec = opts.url ? `openai-compatible:${opts.url}#${opts.urlModel}` : opts.model;
      const model: LanguageModel =
        spec === 'obedient' ? createObedientModel() : resolveLanguageModel({ spec, ...modelEnvironment(), ...modelAccounting(), gguf: ggufSettings(opts) });
      const modes = opts.guard === 'both' ? [false, true] : [opts.guard === 'on'];
      const reports: RedteamReport[] = [];
      try {
        for (const guard of modes) {
          if (!global.json) process.stderr.write(`Red team: ${model.id}, ${opts.target}, guard ${guard ? 'on' : 'off'}…\n`);
          reports.push(await runRedteam({ model, target: opts.target, guard, families: opts.families, attempts: opts.attempts, maxTokens: opts.maxTokens }));
        }
      } finally {
        await model.close?.();
      }
      const json = { version: 1, runs: reports };
      if (opts.out) writeFileSync(opts.out, JSON.stringify(json, null, 2) + '\n');
      if (opts.html) writeFileSync(opts.html, renderRedteamHtml({ reports }));
      if (global.json) printJson(json);
      else printTable(reports);
      if (opts.failAbove !== undefined) {
        const over = reports.flatMap((r) => r.families.filter((f) => f.rate !== null && f.rate > opts.failAbove!).map((f) => `${f.family} ${(f.rate! * 100).toFixed(0)}% (guard ${r.guard ? 'on' : 'off'})`));
        if (over.length > 0) {
          process.stderr.write(`lore: attack success above ${opts.failAbove}: ${over.join(', ')}\n`);
          context.exitCode = EXIT.partial;
        }
      }
      if (reports.length === 0) throw new LoreError({ code: 'INTERNAL', message: 'no red-team run was made' });
    });
}

function printTable(reports: RedteamReport[]): void {
  const pct = (r: number | null) => (r === null ? '–' : `${(r * 100).toFixed(0)}%`);
  const heads = reports.map((r) => `guard ${r.guard ? 'on' : 'off'}`);
  const lines = [`${'family'.padEnd(26)}${heads.map((h) => h.padStart(16)).join('')}`];
  for (const family of reports[0]?.families ?? []) {
    const cells = reports.map((r) => {
      const f = r.families.find((x) => x.family === family.family)!;
      return (f.available ? `${pct(f.rate)} (${f.successes}/${f.probes})` : 'unavailable').padStart(16);
    });
    lines.push(`${family.family.padEnd(26)}${cells.join('')}`);
  }
  lines.push(`${'all'.padEnd(26)}${reports.map((r) => `${pct(r.overall.rate)} (${r.overall.successes}/${r.overall.probes})`.padStart(16)).join('')}`);
  const controls = reports.filter((r) => r.guard);
  for (const r of controls) lines.push(`benign control questions refused by the guard: ${r.controls.refused}/${r.controls.asked}`);
  for (const f of reports[0]?.families ?? []) if (!f.available) lines.push(`${f.family}: ${f.reason}`);
  process.stdout.write(`Attack success rate per family (${reports[0]?.model ?? ''}, ${reports[0]?.target ?? ''}; lower is better):\n${lines.join('\n')}\n`);
}
