import { HttpError } from './http-error.js';

export interface WorkQueue {
  /**
   * Runs `task` when a slot is free. Throws a 503 at once when `maxWaiting` tasks already wait: a server
   * that queues without bound answers everyone late instead of some now.
   */
  run<T>(task: () => Promise<T>, options?: { signal?: AbortSignal }): Promise<T>;
  readonly active: number;
  readonly waiting: number;
}

export interface WorkQueueOptions {
  /** Tasks running at once. */
  concurrency: number;
  /** Tasks allowed to wait for a slot; the next one is refused. */
  maxWaiting: number;
  /** Seconds a refused client is told to wait (Retry-After). */
  retryAfterS?: number;
  onChange?: (state: { active: number; waiting: number }) => void;
  onReject?: () => void;
}

/** A bounded queue for expensive work (searches, answers, model calls, embeddings). */
export function createWorkQueue(options: WorkQueueOptions): WorkQueue {
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  let active = 0;
  const waiting: Array<() => void> = [];
  const changed = () => options.onChange?.({ active, waiting: waiting.length });

  // A finished task hands its slot straight to the first waiter, so a newcomer cannot slip in between.
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else active--;
    changed();
  };

  return {
    get active() {
      return active;
    },
    get waiting() {
      return waiting.length;
    },
    async run(task, runOptions = {}) {
      if (active >= concurrency) {
        if (waiting.length >= options.maxWaiting) {
          options.onReject?.();
          throw new HttpError({
            status: 503,
            code: 'OVERLOADED',
            message: `The server is busy (${active} running, ${waiting.length} waiting); try again shortly`,
            retryAfterS: options.retryAfterS ?? 1,
            openaiCode: 'server_overloaded',
          });
        }
        await new Promise<void>((resolve, reject) => {
          const signal = runOptions.signal;
          const start = () => {
            signal?.removeEventListener('abort', cancel);
            resolve();
          };
          // A client that leaves while waiting gives its place up.
          const cancel = () => {
            const i = waiting.indexOf(start);
            if (i >= 0) waiting.splice(i, 1);
            changed();
            reject(new HttpError({ status: 499, code: 'ABORTED', message: 'The client went away while waiting' }));
          };
          if (signal?.aborted) return cancel();
          signal?.addEventListener('abort', cancel, { once: true });
          waiting.push(start);
          changed();
        });
      } else {
        active++;
        changed();
      }
      try {
        return await task();
      } finally {
        release();
      }
    },
  };
}
