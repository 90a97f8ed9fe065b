import { setTimeout as sleep } from 'node:timers/promises';
import { Option, type Command } from 'commander';
import { LoreError } from '../../spec/errors.js';
import type { LoaderOptions } from '../../spec/document.js';
import type { EnqueueReport } from '../../queue/enqueue-files.js';
import type { QueueStatus } from '../../queue/batch-status.js';
import { EXIT } from '../exit-codes.js';
import { displayPath } from '../format.js';
import type { CommandContext, GlobalOptions } from '../main.js';
import { createProgressBar } from '../progress-bar.js';
import { printJson } from './open-store.js';
import { parseSize } from './parse-options.js';

/** The options `lore ingest` gains for distributed ingestion (docs/queue.md). */
export interface IngestQueueCliOptions {
  queue?: string;
  status?: boolean;
  batch?: string;
  wait?: boolean;
  inlineLimit: number;
}

export function addQueueOptions(command: Command): Command {
  return command
    .option('--queue <url>', 'enqueue the files for `lore worker` processes instead of ingesting here (Redis: redis://host:6379/0)')
    .addOption(
      new Option('--inline-limit <size>', 'with --queue: files up to this size travel inside the job; larger ones must be readable by the workers at the same path')
        .argParser(parseSize)
        .default(8 * 1024 * 1024, '8MB'),
    )
    .option('--status', 'with --queue: show recent batches (waiting, active, completed, failed) instead of ingesting')
    .option('--batch <id>', 'with --status: only this batch')
    .option('--wait', 'with --queue: show a progress bar until the batch is done (exit code 1 if some files failed)');
}

/** True when `lore ingest` was asked to use the queue rather than ingest here. */
export function wantsQueue(opts: IngestQueueCliOptions): boolean {
  return opts.queue !== undefined || Boolean(opts.status || opts.batch || opts.wait);
}

export interface QueueIngestOptions {
  paths: string[];
  opts: IngestQueueCliOptions & {
    collection: string;
    include?: string[];
    exclude?: string[];
    gitignore: boolean;
    maxFileSize: number;
    chunkSize: number;
    overlap: number;
    prune?: boolean;
    progress: boolean;
    loaderOptions: LoaderOptions;
  };
  command: Command;
  context: CommandContext;
}

/** `lore ingest --queue URL <paths>` (enqueue) and `lore ingest --status --queue URL` (progress). */
export async function queueIngest(o: QueueIngestOptions): Promise<void> {
  const { opts, command } = o;
  const global = command.optsWithGlobals<GlobalOptions>();
  const usage = (message: string, hint?: string) => new LoreError({ code: 'INVALID_ARGUMENT', message, hint });
  if (opts.queue === undefined) throw usage('--status, --batch and --wait need --queue <redis URL>', 'e.g. lore ingest --status --queue redis://127.0.0.1:6379');
  if (opts.batch && !opts.status) throw usage('--batch goes with --status', 'lore ingest --status --batch ID --queue URL');
  if (opts.prune) throw usage('--prune does not work with --queue', 'prune with a plain `lore ingest --prune` where the files are');
  if (command.getOptionValueSource('embedder') === 'cli') {
    throw usage('--embedder does not work with --queue: the workers embed', 'pass --embedder to `lore worker`');
  }
  const { queueStatus } = await import('../../queue/batch-status.js');
  const bar = createProgressBar({ enabled: opts.progress && !global.json ? undefined : false });
  const waitFor = async (batch?: string): Promise<QueueStatus> => {
    for (;;) {
      const status = await queueStatus({ queue: opts.queue!, batch });
      const jobs = status.batches.reduce((n, b) => n + b.jobs + b.rejected, 0);
      const finished = status.batches.reduce((n, b) => n + b.completed + b.failed + b.expired, 0);
      const active = status.batches.reduce((n, b) => n + b.active, 0);
      const failed = status.batches.reduce((n, b) => n + b.failed, 0);
      bar.update(finished, jobs, `files · ${active} being ingested · ${failed} failed`);
      if (status.batches.every((b) => b.done)) {
        bar.done();
        return status;
      }
      await sleep(500);
    }
  };

  if (opts.status) {
    if (o.paths.length > 0) throw usage('--status takes no paths', 'lore ingest --status --queue URL [--batch ID]');
    const status = opts.wait ? await waitFor(opts.batch) : await queueStatus({ queue: opts.queue, batch: opts.batch });
    if (global.json) printJson(status);
    else printStatus(status);
    if (opts.wait && status.batches.some((b) => b.failed > 0)) o.context.exitCode = EXIT.partial;
    return;
  }

  if (o.paths.length === 0) throw usage('Nothing to enqueue: give files or folders', 'lore ingest ./docs --queue URL');
  const { enqueueFiles } = await import('../../queue/enqueue-files.js');
  const report = await enqueueFiles({
    queue: opts.queue,
    paths: o.paths,
    collection: opts.collection,
    include: opts.include,
    exclude: opts.exclude,
    gitignore: opts.gitignore,
    maxFileSize: opts.maxFileSize,
    inlineLimit: opts.inlineLimit,
    chunkSize: opts.chunkSize,
    overlap: opts.overlap,
    loaderOptions: opts.loaderOptions,
    onProgress: (p) => bar.update(p.filesDone, p.filesTotal, `files enqueued ${p.current ? displayPath(p.current) : ''}`),
  });
  bar.done();
  const final = opts.wait ? (await waitFor(report.batch)).batches[0] : undefined;
  if (global.json) printJson(final ? { ...report, status: final } : report);
  else {
    printEnqueued(report);
    if (final) printStatus({ queue: report.queue, counts: undefined, batches: [final] });
  }
  if (report.rejected.length > 0 || (final && final.failed > 0)) o.context.exitCode = EXIT.partial;
}

function printEnqueued(r: EnqueueReport): void {
  for (const e of r.rejected) process.stderr.write(`✗ ${e.message}\n`);
  const sizes = `${r.inline} sent inline${r.enqueued > r.inline ? `, ${r.enqueued - r.inline} by path (over --inline-limit: workers read them from the same path)` : ''}`;
  process.stdout.write(
    `Enqueued ${r.enqueued + r.alreadyQueued} file(s) for "${r.collection}" as batch ${r.batch} on ${r.queue}: ${r.enqueued} new job(s)` +
      `${r.alreadyQueued ? `, ${r.alreadyQueued} already queued` : ''} (${sizes})${r.rejected.length ? `; ${r.rejected.length} rejected, see above` : ''}\n`,
  );
  process.stdout.write(`Follow it with: lore ingest --status --batch ${r.batch} --queue ${r.queue}\n`);
}

function printStatus(s: Omit<QueueStatus, 'counts'> & { counts?: QueueStatus['counts'] }): void {
  if (s.batches.length === 0) process.stdout.write(`No batches in the queue at ${s.queue}.\n`);
  for (const b of s.batches) {
    const state =
      b.state === 'enqueueing'
        ? 'still being enqueued'
        : `${b.done ? 'done' : 'in progress'}${b.state === 'interrupted' ? ` (its enqueuer stopped after ${b.jobs} of ${b.files} files: enqueue the folder again for the rest)` : ''}`;
    process.stdout.write(`Batch ${b.batch} → "${b.collection}" (${b.createdAt}): ${state}\n`);
    const parts = [
      `${b.waiting} waiting`,
      `${b.active} active`,
      ...(b.retrying ? [`${b.retrying} to be retried`] : []),
      `${b.completed} completed (${b.added} added, ${b.updated} updated, ${b.unchanged} unchanged; ${b.chunks} chunks)`,
      `${b.failed} failed`,
      ...(b.expired ? [`${b.expired} expired from Redis`] : []),
    ];
    process.stdout.write(`  ${b.jobs} job(s): ${parts.join(', ')}\n`);
    for (const f of b.failures) process.stdout.write(`  ✗ ${f.code} ${f.message.includes(f.source) ? f.message : `${f.source}: ${f.message}`}\n`);
  }
  if (s.counts) {
    const c = s.counts;
    process.stdout.write(`Queue ${s.queue}: ${c.waiting} waiting, ${c.active} active, ${c.delayed} delayed, ${c.completed} completed, ${c.failed} failed\n`);
  }
}
