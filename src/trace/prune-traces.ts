import type Database from 'better-sqlite3';

export const DEFAULT_TRACES_KEPT = 1000;

export interface RetentionOptions {
  /** Newest traces kept (default 1000); older ones are deleted with their spans. */
  keep?: number;
  /** Traces older than this many days are deleted too (default: no age limit). */
  maxAgeDays?: number;
}

/**
 * Keeps the trace tables bounded: the newest `keep` traces, none older than `maxAgeDays`. Spans are deleted
 * explicitly (not only by the foreign key's cascade), so a connection without `foreign_keys = ON` prunes too.
 * Returns the number of traces deleted.
 */
export function pruneTraces(options: RetentionOptions & { db: Database.Database; now?: Date }): number {
  const { db } = options;
  const keep = Math.max(0, Math.floor(options.keep ?? DEFAULT_TRACES_KEPT));
  // The first trace past the limit, and every trace started at or before it (ties at the same instant go too).
  const byCount = db.prepare<[number], string>('SELECT started_at FROM traces ORDER BY started_at DESC LIMIT 1 OFFSET ?').pluck().get(keep);
  const byAge = options.maxAgeDays === undefined ? undefined : new Date((options.now ?? new Date()).getTime() - options.maxAgeDays * 86_400_000).toISOString();
  if (byCount === undefined && byAge === undefined) return 0;
  return db.transaction(() => {
    let deleted = 0;
    if (byCount !== undefined) {
      db.prepare('DELETE FROM spans WHERE trace_id IN (SELECT trace_id FROM traces WHERE started_at <= ?)').run(byCount);
      deleted += db.prepare('DELETE FROM traces WHERE started_at <= ?').run(byCount).changes;
    }
    if (byAge !== undefined) {
      db.prepare('DELETE FROM spans WHERE trace_id IN (SELECT trace_id FROM traces WHERE started_at < ?)').run(byAge);
      deleted += db.prepare('DELETE FROM traces WHERE started_at < ?').run(byAge).changes;
    }
    return deleted;
  }).immediate();
}
