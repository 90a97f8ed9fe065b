import { randomBytes } from 'node:crypto';

/**
 * Where a batch (one `lore ingest --queue` run) is recorded in Redis, beside BullMQ's own keys: a hash with its
 * description, a list of its job ids, and a sorted set of batches by creation time. A job enqueued again while
 * it is still waiting belongs to both batches, so a batch lists ids rather than owning jobs.
 */
export const batchKeys = {
  index: (queue: string) => `lore:${queue}:batches`,
  info: (queue: string, batch: string) => `lore:${queue}:batch:${batch}`,
  jobs: (queue: string, batch: string) => `lore:${queue}:batch:${batch}:jobs`,
};

/** Batches are forgotten after this long (their jobs' results go earlier: see JOB_RETENTION). */
export const BATCH_TTL_SECONDS = 30 * 24 * 3600;

/** How long finished jobs stay in Redis for `--status` (BullMQ evicts them when a later job finishes). */
export const JOB_RETENTION = { completed: { age: 7 * 24 * 3600 }, failed: { age: 30 * 24 * 3600 } };

/** A sortable, readable batch id: UTC time to the second and a random suffix. */
export function newBatchId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}
