import { hostname } from 'node:os';
import { Command, Option } from 'commander';
import type { IngestWorkerEvent } from '../../queue/ingest-worker.js';
import { displayPath } from '../format.js';
import type { CommandContext } from '../main.js';
import { chooseEmbedder } from './embedder-option.js';
import { withStore } from './open-store.js';
import { parseCount } from './parse-options.js';

interface WorkerCliOptions {
  queue: string;
  concurrency: number;
  embedder: string;
  lockDuration: number;
  maxStalled: number;
  testDelay?: number;
}

export function registerWorker(program: Command, _context: CommandContext): void {
  program
    .command('worker')
    .description('take ingestion jobs from a Redis queue (lore ingest --queue) and write them into the database')
    .requiredOption('--queue <url>', 'the Redis queue: redis://host:6379/0, rediss://user:password@host:6380 for TLS')
    .addOption(new Option('--concurrency <n>', 'jobs processed at once by this process').argParser(parseCount).default(1))
    .option('--embedder <spec>', 'embed chunks: local (the bundled English model), none, or a model spec such as openai:text-embedding-3-small', 'local')
    .addOption(
      new Option('--lock-duration <ms>', "how long a job stays claimed without renewal: a dead worker's jobs go to another after about twice this")
        .argParser(parseCount)
        .default(30_000),
    )
    .addOption(new Option('--max-stalled <n>', 'a job whose worker died more than this many times fails instead of being retried').argParser(parseCount).default(2))
    // Tests only: a pause before and after each write, so a test can kill a worker mid-job.
    .addOption(new Option('--test-delay <ms>').argParser(parseCount).hideHelp())
    .addHelpText(
      'after',
      `
Run one or more workers per machine, on as many machines as you like, all with the same --queue and --db (a
SQLite file shared by the workers of one machine, or a postgres:// URL shared by all). Each file becomes one
document, written in one transaction; a job is delivered at least once, and writing it again replaces the same
document, so a worker killed mid-job loses nothing and duplicates nothing: its jobs go to another worker.
SIGTERM or Ctrl-C: finish the jobs in hand, then stop (a second signal stops at once; those jobs are retried).
With --json every event is one JSON line on stdout.

Examples:
  lore worker --queue redis://queue.internal:6379/0 --db postgres://lore@db.internal/lore --concurrency 2
  lore worker --queue redis://127.0.0.1:6379 --db ./.lore/lore.db --embedder none`,
    )
    .action(async (opts: WorkerCliOptions, command: Command) => {
      const { startIngestWorker } = await import('../../queue/ingest-worker.js');
      const { displayRedisUrl } = await import('../../queue/redis-connection.js');
      await withStore(command, async (store, global) => {
        const embedder = await chooseEmbedder({ spec: opts.embedder });
        const counts = { completed: 0, failed: 0, retried: 0, stalled: 0 };
        const log = (event: IngestWorkerEvent | { type: 'started' | 'stopping' | 'stopped'; [key: string]: unknown }) => {
          if (event.type === 'completed') counts.completed++;
          if (event.type === 'failed') counts[event.willRetry ? 'retried' : 'failed']++;
          if (event.type === 'stalled') counts.stalled++;
          if (global.json) {
            const { type, ...rest } = event;
            process.stdout.write(JSON.stringify({ event: type, ...rest, at: new Date().toISOString() }) + '\n');
          } else {
            const line = describe(event);
            if (line) process.stderr.write(line + '\n');
          }
        };
        const worker = await startIngestWorker({
          queue: opts.queue,
          store,
          embedder,
          concurrency: Math.max(1, opts.concurrency),
          lockDuration: Math.max(1000, opts.lockDuration),
          maxStalledCount: opts.maxStalled,
          name: `${hostname()}:${process.pid}`,
          delayMs: opts.testDelay,
          onEvent: log,
        });
        log({
          type: 'started',
          queue: displayRedisUrl(opts.queue),
          db: store.path,
          pid: process.pid,
          concurrency: Math.max(1, opts.concurrency),
          embedder: embedder?.id ?? 'none',
        });
        await new Promise<void>((done) => {
          let stopping = false;
          const stop = (signal: NodeJS.Signals) => {
            if (stopping) {
              // Jobs in hand stay claimed until their lock expires; then another worker takes them.
              process.stderr.write(`lore worker: ${signal} again: stopping now; the jobs in hand will be retried by other workers\n`);
              process.exit(130);
            }
            stopping = true;
            log({ type: 'stopping', signal });
            void worker.close().then(done, done);
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
        });
        await embedder?.close?.();
        log({ type: 'stopped', ...counts });
      });
    });
}

function describe(event: IngestWorkerEvent | { type: string; [key: string]: unknown }): string | undefined {
  const e = event as Record<string, unknown>;
  switch (event.type) {
    case 'started':
      return `Lore worker ${String(e['pid'])}: taking jobs from ${String(e['queue'])} into ${String(e['db'])} (concurrency ${String(e['concurrency'])}, embedder ${String(e['embedder'])}). Ctrl-C or SIGTERM stops after the jobs in hand.`;
    case 'completed': {
      const r = (event as Extract<IngestWorkerEvent, { type: 'completed' }>).result;
      return `✓ ${displayPath(String(e['source']))}: ${r.outcome}, ${r.chunks} chunks${r.vectors ? `, ${r.vectors} vectors` : ''}${r.warnings.length ? ` (${r.warnings.join('; ')})` : ''}`;
    }
    case 'failed':
      return `✗ ${String(e['message'])}${e['willRetry'] ? ' (will be retried)' : ''}`;
    case 'stalled':
      return `↻ job ${String(e['jobId'])} was abandoned by its worker: back in the queue`;
    case 'error':
      return `! queue: ${String(e['message'])}`;
    case 'stopping':
      return `Stopping (${String(e['signal'])}): finishing the jobs in hand…`;
    case 'stopped':
      return `Stopped: ${String(e['completed'])} completed, ${String(e['failed'])} failed${e['retried'] ? `, ${String(e['retried'])} to be retried` : ''}.`;
    default:
      return undefined;
  }
}
