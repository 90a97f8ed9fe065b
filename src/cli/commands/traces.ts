import type { Command } from 'commander';
import { LoreError } from '../../spec/errors.js';
import { companionsOf } from '../../store/open-companions.js';
import type { CommandContext } from '../main.js';
import { renderTrace, renderTraceList } from '../render-trace.js';
import { printJson, withStore } from './open-store.js';
import { parseCount } from './parse-options.js';

interface TracesCliOptions {
  last: number;
  slow?: boolean;
  errors?: boolean;
  collection?: string;
}

/** `lore traces`: the recorded traces, newest (or slowest) first. */
export function registerTraces(program: Command, _context: CommandContext): void {
  program
    .command('traces')
    .description('list recorded traces of agent, ask, chat, ingest, search and serve, with time, tokens and cost')
    .option('-n, --last <n>', 'how many', parseCount, 20)
    .option('--slow', 'the slowest first')
    .option('--errors', 'only traces with a failed step')
    .option('-c, --collection <name>', "only this collection's")
    .addHelpText(
      'after',
      [
        '',
        'Tracing is on for agent, ask, chat, ingest, search and serve; off with --no-trace or LORE_TRACE=0, on for every',
        'command with LORE_TRACE=1. LORE_TRACE_CONTENT=1 also records prompts, retrieved text and answers (secrets',
        'masked). LORE_OTLP_ENDPOINT=http://host:4318 sends the spans to an OpenTelemetry collector as well.',
        'The database keeps the last 1000 traces (LORE_TRACE_KEEP, LORE_TRACE_MAX_AGE_DAYS).',
        '',
        'Examples:',
        '  lore traces --last 5',
        '  lore traces --slow --errors',
        '  lore trace 3f2a9c1b',
      ].join('\n'),
    )
    .action(async (opts: TracesCliOptions, command: Command) => {
      await withStore(
        command,
        async (store, global) => {
          const traces = await companionsOf(store).traces.listTraces({ limit: Math.max(1, opts.last), order: opts.slow ? 'slowest' : 'recent', errorsOnly: opts.errors, collection: opts.collection });
          if (global.json) return printJson({ traces });
          if (traces.length === 0) return void process.stdout.write('No traces recorded yet. Run `lore search` or `lore ask`, then look again.\n');
          process.stdout.write(renderTraceList(traces) + '\n');
        },
        { readonly: true },
      );
    });
}

/** `lore trace <id>`: one trace as a tree of its steps. */
export function registerTrace(program: Command, _context: CommandContext): void {
  program
    .command('trace')
    .description('show one trace as a tree: each step with its time, tokens, cost and place on a timeline')
    .argument('<id>', 'trace id, or its first characters as `lore traces` shows them')
    .action(async (id: string, _opts: unknown, command: Command) => {
      await withStore(
        command,
        async (store, global) => {
          const detail = await companionsOf(store).traces.getTrace({ traceId: id });
          if (!detail) throw new LoreError({ code: 'NOT_FOUND', message: `No trace "${id}"`, hint: 'list them with `lore traces`', subject: id });
          if (global.json) return printJson(detail);
          process.stdout.write(renderTrace(detail) + '\n');
        },
        { readonly: true },
      );
    });
}
