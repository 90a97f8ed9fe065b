import { InvalidArgumentError, Option, type Command } from 'commander';
import { compareRuns, describeSettingChanges, type RunComparison } from '../../eval/runs/compare-runs.js';
import { reportFormat, writeReport } from '../../eval/report/write-report.js';
import { isLoreError, LoreError } from '../../spec/errors.js';
import type { EvalKind, EvalRun } from '../../spec/eval-runs.js';
import { companionsOf } from '../../store/open-companions.js';
import { displayPath, oneLine, table } from '../format.js';
import type { CommandContext } from '../main.js';
import { RUN_KINDS } from './eval-run-options.js';
import { printJson, withStore } from './open-store.js';
import { parseCount } from './parse-options.js';

function reportFiles(value: string, previous: string[] = []): string[] {
  try {
    reportFormat(value);
  } catch (error) {
    throw new InvalidArgumentError(isLoreError(error) ? error.message : String(error));
  }
  return [...previous, value];
}

const mean = (v: number | null | undefined) => (typeof v === 'number' ? v.toFixed(4) : 'n/a');
const signed = (v: number | null) => (v === null ? 'n/a' : `${v > 0 ? '+' : v < 0 ? '−' : '±'}${Math.abs(v).toFixed(4)}`);

/** `lore eval runs`, `lore eval compare A B`, `lore eval report RUN FILE`: stored runs. */
export function registerEvalRuns(evalCommand: Command, _context: CommandContext): void {
  evalCommand
    .command('runs')
    .description('list the stored evaluation runs, newest first')
    .addOption(new Option('--kind <kind>', 'only runs of this kind').choices(RUN_KINDS as string[]))
    .option('--limit <n>', 'at most this many', parseCount)
    .option('--delete <run>', 'delete a stored run')
    .action(async (opts: { kind?: EvalKind; limit?: number; delete?: string }, cmd: Command) => {
      await withStore(
        cmd,
        async (store, global) => {
          const runs = companionsOf(store).evalRuns;
          if (opts.delete) {
            const { run } = await runs.getRun(opts.delete);
            await runs.deleteRun(run.id);
            if (global.json) printJson({ deleted: run.id });
            else process.stdout.write(`deleted run ${run.id}\n`);
            return;
          }
          const list = await runs.listRuns({ kind: opts.kind, limit: opts.limit });
          if (global.json) return printJson(list);
          if (list.length === 0) {
            process.stdout.write('No stored runs: `lore eval rag` and `lore eval retrieval` store theirs in --db.\n');
            return;
          }
          const rows = [['ID', 'NAME', 'KIND', 'DATASET', 'ITEMS', 'CREATED', 'METRICS']];
          for (const r of list) rows.push([r.id, r.name ?? '', r.kind, oneLine(r.dataset, 30), String(r.itemCount), r.createdAt.slice(0, 19).replace('T', ' '), headline(r)]);
          process.stdout.write(`${table(rows)}\n`);
        },
        { readonly: !opts.delete },
      );
    });

  evalCommand
    .command('compare')
    .description('compare two stored runs: the change of each mean, and per item how often B scored higher, lower or the same as A')
    .argument('<a>', 'the baseline run: id, unique prefix, name, latest~1…')
    .argument('<b>', 'the run compared with it')
    .option('--report <file>', 'also write the comparison as a report (.html, .md, .json); repeatable', reportFiles)
    .option('--items <n>', 'items with the largest changes to list', parseCount, 5)
    .addHelpText('after', '\nExamples:\n  lore eval compare latest~1 latest\n  lore eval compare baseline rag-3fa9c1 --report compare.html')
    .action(async (aRef: string, bRef: string, opts: { report?: string[]; items: number }, cmd: Command) => {
      await withStore(
        cmd,
        async (store, global) => {
          const runs = companionsOf(store).evalRuns;
          const a = await runs.getRun(aRef);
          const b = await runs.getRun(bRef);
          const comparison = compareRuns(a, b);
          if (global.json) printJson(comparison);
          else printComparison(comparison, a.run, b.run, opts.items);
          for (const file of opts.report ?? []) {
            const path = writeReport({ current: b, baseline: a, file });
            process.stderr.write(`report: ${displayPath(path)}\n`);
          }
        },
        { readonly: true },
      );
    });

  evalCommand
    .command('report')
    .description('write the report of a stored run (.html with charts, .md or .json)')
    .argument('<run>', 'id, unique prefix, name, latest…')
    .argument('<file>', 'the report file: .html, .md or .json')
    .option('--compare <run>', 'compare with this stored run (the baseline)')
    .action(async (ref: string, file: string, opts: { compare?: string }, cmd: Command) => {
      reportFormat(file);
      await withStore(
        cmd,
        async (store) => {
          const runs = companionsOf(store).evalRuns;
          const current = await runs.getRun(ref);
          const baseline = opts.compare ? await runs.getRun(opts.compare) : undefined;
          if (baseline && baseline.run.id === current.run.id) throw new LoreError({ code: 'INVALID_ARGUMENT', message: 'A run cannot be compared with itself', hint: 'name another run with --compare' });
          const path = writeReport({ current, ...(baseline ? { baseline } : {}), file });
          process.stdout.write(`wrote ${displayPath(path)}\n`);
        },
        { readonly: true },
      );
    });
}

/** The first three metrics' means, for the run list. */
function headline(r: EvalRun): string {
  return Object.entries(r.metrics)
    .slice(0, 3)
    .map(([m, s]) => `${m} ${mean(s.mean)}`)
    .join('  ');
}

function printComparison(c: RunComparison, a: EvalRun, b: EvalRun, top: number): void {
  const label = (r: EvalRun) => `${r.id}${r.name ? ` (${r.name})` : ''}`;
  const rows = [['METRIC', 'A', 'B', 'Δ', 'BETTER', 'WORSE', 'SAME']];
  for (const m of c.metrics) rows.push([m.metric, mean(m.a), mean(m.b), signed(m.delta), String(m.wins), String(m.losses), String(m.ties)]);
  const lines = [`A ${label(a)} → B ${label(b)} · ${c.items.length} items in both${c.sameDataset ? ', same test set' : ''}`];
  // Which retrieval each run used, always; then whatever else was set differently.
  lines.push(c.a.pipeline === c.b.pipeline ? `pipeline: ${c.a.pipeline} (both)` : `pipeline: A ${c.a.pipeline} · B ${c.b.pipeline}`);
  const other = c.settings.filter((s) => s.setting !== 'pipeline');
  if (other.length) lines.push(`settings that differ: ${describeSettingChanges(other)}`);
  lines.push('', table(rows));
  // The items that moved most on the first metric either way: where to look first.
  const first = c.metrics[0]?.metric;
  if (first && top > 0) {
    const moved = c.items
      .filter((i) => (i.scores[first]?.delta ?? 0) !== 0 && i.scores[first]?.delta !== null)
      .sort((x, y) => Math.abs(y.scores[first]!.delta!) - Math.abs(x.scores[first]!.delta!))
      .slice(0, top);
    if (moved.length) {
      lines.push('', `largest changes in ${first}:`);
      for (const i of moved) lines.push(`  ${signed(i.scores[first]!.delta)}  ${i.itemId}  ${oneLine(i.input, 80)}`);
    }
  }
  if (c.onlyInA.length || c.onlyInB.length) lines.push('', `${c.onlyInA.length} items only in A, ${c.onlyInB.length} only in B`);
  lines.push(...c.notes.map((n) => `note: ${n}`));
  process.stdout.write(`${lines.join('\n')}\n`);
}
