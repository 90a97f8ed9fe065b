import { InvalidArgumentError, type Command } from 'commander';
import { existsSync } from 'node:fs';
import { checkThresholdMetrics, describeFailure, failedThresholds, parseThreshold, type Threshold } from '../../eval/runs/fail-below.js';
import { retrievalRunRecord } from '../../eval/runs/run-records.js';
import { reportFormat, writeReport } from '../../eval/report/write-report.js';
import type { RetrievalEvaluation } from '../../eval/retrieval-eval.js';
import { isLoreError, LoreError } from '../../spec/errors.js';
import type { EvalKind, EvalRunStore, StoredEvalRun } from '../../spec/eval-runs.js';
import type { Store, SyncStore } from '../../spec/store.js';
import { companionsOf } from '../../store/open-companions.js';
import { isPostgresLocation, openStore } from '../../store/open-store.js';
import { EXIT } from '../exit-codes.js';
import { displayPath } from '../format.js';
import { resolveDbPath, type CommandContext, type GlobalOptions } from '../main.js';

/** The options every evaluation command shares: storage, reports, comparison, CI gate. */
export interface RunCliOptions {
  name?: string;
  store: boolean;
  report?: string[];
  compare?: string;
  failBelow?: Threshold[];
}

function thresholdOption(value: string, previous: Threshold[] = []): Threshold[] {
  try {
    return [...previous, parseThreshold(value)];
  } catch (error) {
    throw new InvalidArgumentError(isLoreError(error) ? error.message : String(error));
  }
}

function reportOption(value: string, previous: string[] = []): string[] {
  try {
    reportFormat(value);
  } catch (error) {
    throw new InvalidArgumentError(isLoreError(error) ? error.message : String(error));
  }
  return [...previous, value];
}

export function addRunOptions(command: Command): Command {
  return command
    .option('--name <name>', 'name the stored run (compare and report accept the name)')
    .option('--no-store', 'do not store the run in the database')
    .option('--report <file>', 'write a report: .html (charts, opens offline), .md or .json; repeatable', reportOption)
    .option('--compare <run>', 'compare with a stored run (id, prefix, name, latest, latest~1) in the report and summary')
    .option('--fail-below <metric=value>', 'exit with code 1 when the metric\'s mean is below the value; repeatable', thresholdOption);
}

/** Refuses thresholds on metrics this kind of run does not compute, before anything runs. */
export function checkRunOptions(opts: RunCliOptions, metrics: readonly string[]): void {
  checkThresholdMetrics(opts.failBelow ?? [], metrics);
}

/**
 * Saves the run (unless --no-store), writes the reports, prints where they went, and applies
 * --fail-below: a metric below its threshold sets exit code 1. Messages go to stderr, so `--json` output
 * stays one JSON document.
 */
export async function finishRun(o: { stored: StoredEvalRun; opts: RunCliOptions; context: CommandContext; db?: Store | SyncStore; json?: boolean; quiet?: boolean }): Promise<void> {
  const { stored, opts } = o;
  const runs = o.db ? companionsOf(o.db).evalRuns : undefined;
  // With --json, stdout carries the result (the run id included, for `eval rag`) and stderr stays quiet.
  const say = (line: string) => {
    if (!o.quiet && !o.json) process.stderr.write(`${line}\n`);
  };
  const baseline = opts.compare ? await requireRuns(runs, opts.compare).getRun(opts.compare) : undefined;
  if (runs && opts.store) {
    await runs.saveRun(stored);
    say(`stored as run ${stored.run.id}${stored.run.name ? ` (${stored.run.name})` : ''}: lore eval runs, lore eval compare ${baseline ? baseline.run.id : 'OTHER'} ${stored.run.id}`);
  } else if (opts.store) say('run not stored: no database (pass --db, or set LORE_DB, to keep runs)');
  for (const file of opts.report ?? []) {
    const path = writeReport({ current: stored, ...(baseline ? { baseline } : {}), file });
    say(`report: ${displayPath(path)}`);
  }
  const below = failedThresholds(stored.run.metrics, opts.failBelow ?? []);
  if (below.length > 0) {
    process.stderr.write(`lore: evaluation below threshold: ${below.map(describeFailure).join('; ')}\n`);
    o.context.exitCode = EXIT.partial;
  }
}

function requireRuns(runs: EvalRunStore | undefined, ref: string): EvalRunStore {
  if (runs) return runs;
  throw new LoreError({ code: 'NOT_FOUND', message: `--compare ${ref}: no database with stored runs`, hint: 'pass --db, or set LORE_DB, to the database the runs are in' });
}

/**
 * The database `lore eval retrieval` keeps runs in: the one it indexes into (--collection), else the one
 * named by --db / LORE_DB, else ./.lore/lore.db if it exists. A throw-away evaluation does not create a
 * database just to keep its run.
 */
async function runDatabase(global: GlobalOptions): Promise<Store | undefined> {
  const path = resolveDbPath(global);
  const named = Boolean(global.db || process.env['LORE_DB']);
  return named || isPostgresLocation(path) || existsSync(path) ? openStore({ location: path }) : undefined;
}

/** What `lore eval retrieval` does after evaluating: store, report, compare, gate. */
export async function finishRetrievalRun(o: { command: Command; context: CommandContext; result: RetrievalEvaluation; dir: string; opts: RunCliOptions & { k?: number; collection?: string; vectorWeight?: number; expand?: boolean }; store?: Store | SyncStore }): Promise<void> {
  const global = o.command.optsWithGlobals<GlobalOptions>();
  const config: Record<string, unknown> = {
    k: o.opts.k,
    ...(o.opts.collection ? { collection: o.opts.collection } : {}),
    ...(o.opts.vectorWeight !== undefined ? { vectorWeight: o.opts.vectorWeight } : {}),
    ...(o.opts.expand !== undefined && o.command.getOptionValueSource('expand') === 'cli' ? { expand: o.opts.expand } : {}),
  };
  const stored = retrievalRunRecord(o.result, { dir: o.dir, dataset: '', name: o.opts.name, config });
  const needsDb = o.opts.store || o.opts.compare !== undefined;
  const db = o.store ?? (needsDb ? await runDatabase(global) : undefined);
  try {
    await finishRun({ stored, opts: o.opts, context: o.context, db, json: global.json });
  } finally {
    if (db && db !== o.store) await db.close();
  }
}

export const RUN_KINDS: readonly EvalKind[] = ['retrieval', 'rag'];
