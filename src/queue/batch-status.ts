import { Queue } from 'bullmq';
import { isLoreError, LoreError } from '../spec/errors.js';
import type { IngestFailure } from '../ingest/ingest.js';
import { batchKeys } from './batch-keys.js';
import type { IngestJobData, IngestJobResult } from './ingest-job.js';
import { INGEST_QUEUE_NAME, connectRedis, displayRedisUrl, queueError } from './redis-connection.js';
import { parseJobFailure } from './job-failure.js';

export interface BatchStatus {
  batch: string;
  collection: string;
  createdAt: string;
  /**
   * `enqueueing` while `lore ingest --queue` is still adding its jobs; `interrupted` when it stopped half-way
   * (no sign of life for a minute): the jobs it added are processed, the rest of its files were never enqueued.
   */
  state: 'enqueueing' | 'enqueued' | 'interrupted';
  /** Files found by the walk. */
  files: number;
  /** Jobs listed so far (files minus the rejected ones, once enqueued). */
  jobs: number;
  waiting: number;
  active: number;
  /** Waiting to be tried again after a transient failure. */
  retrying: number;
  completed: number;
  /** Failed jobs plus files rejected at enqueue time. */
  failed: number;
  /** Files not enqueued (missing, too large): counted in `failed` too. */
  rejected: number;
  /** Finished jobs Redis no longer holds (kept 7 days when completed, 30 when failed). */
  expired: number;
  /** Completed jobs by what they did to the store. */
  added: number;
  updated: number;
  unchanged: number;
  chunks: number;
  /** Every job has finished (completed or failed). */
  done: boolean;
  failures: Array<IngestFailure & { attempts: number }>;
}

/** An enqueuer touches its batch every second; one silent this long has stopped. */
const STALE_ENQUEUER_MS = 60_000;

export interface QueueStatus {
  queue: string;
  /** The whole queue, every batch together (BullMQ's counts). */
  counts: { waiting: number; active: number; delayed: number; completed: number; failed: number };
  batches: BatchStatus[];
}

export interface QueueStatusOptions {
  queue: string;
  /** One batch; by default the most recent `limit` batches. */
  batch?: string;
  limit?: number;
}

/** Progress of `lore ingest --queue` batches: every job's state, read from Redis (`lore ingest --status`). */
export async function queueStatus(options: QueueStatusOptions): Promise<QueueStatus> {
  const client = await connectRedis(options.queue);
  const queue = new Queue<IngestJobData, IngestJobResult>(INGEST_QUEUE_NAME, { connection: client });
  queue.on('error', () => {});
  try {
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized');
    const ids = options.batch
      ? [options.batch]
      : (await client.zrevrange(batchKeys.index(INGEST_QUEUE_NAME), 0, (options.limit ?? 10) - 1)).reverse();
    const batches: BatchStatus[] = [];
    for (const id of ids) {
      const status = await batchStatus({ client, queue, batch: id });
      if (status) batches.push(status);
      else if (options.batch) {
        throw new LoreError({
          code: 'NOT_FOUND',
          message: `No batch ${id} in the queue at ${displayRedisUrl(options.queue)}`,
          hint: 'run `lore ingest --status --queue URL` to list recent batches (batches are kept 30 days)',
          subject: id,
        });
      }
    }
    return {
      queue: displayRedisUrl(options.queue),
      counts: {
        waiting: (counts['waiting'] ?? 0) + (counts['prioritized'] ?? 0),
        active: counts['active'] ?? 0,
        delayed: counts['delayed'] ?? 0,
        completed: counts['completed'] ?? 0,
        failed: counts['failed'] ?? 0,
      },
      batches,
    };
  } catch (error) {
    throw isLoreError(error) ? error : queueError(options.queue, error);
  } finally {
    await queue.close().catch(() => {});
    client.disconnect();
  }
}

async function batchStatus(o: { client: Awaited<ReturnType<typeof connectRedis>>; queue: Queue<IngestJobData, IngestJobResult>; batch: string }): Promise<BatchStatus | undefined> {
  const info = await o.client.hgetall(batchKeys.info(INGEST_QUEUE_NAME, o.batch));
  if (!info['createdAt']) return undefined;
  const jobIds = await o.client.lrange(batchKeys.jobs(INGEST_QUEUE_NAME, o.batch), 0, -1);
  const rejected = JSON.parse(info['rejected'] ?? '[]') as IngestFailure[];
  const status: BatchStatus = {
    batch: o.batch,
    collection: info['collection'] ?? '',
    createdAt: info['createdAt'],
    state: info['state'] === 'enqueued' ? 'enqueued' : Date.now() - Number(info['touchedAt'] ?? 0) > STALE_ENQUEUER_MS ? 'interrupted' : 'enqueueing',
    files: Number(info['files'] ?? 0),
    jobs: jobIds.length,
    waiting: 0,
    active: 0,
    retrying: 0,
    completed: 0,
    failed: rejected.length,
    rejected: rejected.length,
    expired: 0,
    added: 0,
    updated: 0,
    unchanged: 0,
    chunks: 0,
    done: false,
    failures: rejected.map((r) => ({ ...r, attempts: 0 })),
  };
  // Many small requests at once on one connection travel as a pipeline; slices bound the memory.
  for (let i = 0; i < jobIds.length; i += 500) {
    const slice = jobIds.slice(i, i + 500);
    const states = await Promise.all(slice.map((id) => o.queue.getJobState(id)));
    const completed = slice.filter((_, j) => states[j] === 'completed');
    const results = await Promise.all(completed.map((id) => o.client.hget(o.queue.toKey(id), 'returnvalue')));
    for (const raw of results) {
      const result = raw ? (JSON.parse(raw) as IngestJobResult | null) : null;
      if (!result) continue;
      status[result.outcome]++;
      status.chunks += result.chunks;
    }
    for (const [j, state] of states.entries()) {
      if (state === 'completed') status.completed++;
      else if (state === 'failed') {
        status.failed++;
        const job = await o.queue.getJob(slice[j]!);
        if (job) status.failures.push({ source: job.data.source, ...parseJobFailure(job.failedReason), attempts: job.attemptsMade });
      } else if (state === 'active') status.active++;
      else if (state === 'delayed') status.retrying++;
      else if (state === 'unknown') status.expired++;
      else status.waiting++;
    }
  }
  status.done = status.state !== 'enqueueing' && status.waiting + status.active + status.retrying === 0;
  return status;
}
