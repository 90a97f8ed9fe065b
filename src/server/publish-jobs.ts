import type { JobBoard } from '../index.js';
import type { JobView } from './ingest-jobs.js';

export interface JobPublisher {
  /** The job changed: post it now if its status or phase did, else within `intervalMs`. */
  changed(job: JobView): void;
  /** Posts the job's pending view now and resolves once the board has it (before a 202 names the job). */
  settled(id: string): Promise<void>;
  /** Posts what is pending and waits for every post. */
  flush(): Promise<void>;
}

/**
 * Posts this server's jobs to the shared job board, without a database write per progress tick: a change of
 * status or phase goes out at once, progress at most every `intervalMs` (the latest view wins), and one
 * job's posts go in order so an older view never overwrites a newer one.
 */
export function createJobPublisher(options: { board: JobBoard; intervalMs?: number; onError?: (error: unknown) => void }): JobPublisher {
  const interval = options.intervalMs ?? 500;
  const state = new Map<string, { posted?: string; pending?: JobView; timer?: NodeJS.Timeout; chain: Promise<void> }>();

  const post = (id: string) => {
    const s = state.get(id);
    if (!s?.pending) return;
    const job = s.pending;
    s.pending = undefined;
    if (s.timer) clearTimeout(s.timer);
    s.timer = undefined;
    s.posted = `${job.status}/${job.phase}`;
    s.chain = s.chain
      .then(() => options.board.publish({ id: job.id, collection: job.collection, status: job.status, createdAt: job.createdAt, view: job as unknown as Record<string, unknown> }))
      .catch((error: unknown) => options.onError?.(error));
    if (['done', 'failed', 'cancelled'].includes(job.status)) {
      const finished = s.chain;
      void finished.then(() => {
        if (state.get(id) === s && !s.pending) state.delete(id);
      });
    }
  };

  return {
    changed(job) {
      let s = state.get(job.id);
      if (!s) state.set(job.id, (s = { chain: Promise.resolve() }));
      s.pending = job;
      if (s.posted !== `${job.status}/${job.phase}`) post(job.id);
      else if (!s.timer) {
        s.timer = setTimeout(() => post(job.id), interval);
        s.timer.unref();
      }
    },
    async settled(id) {
      post(id);
      await state.get(id)?.chain;
    },
    async flush() {
      for (const id of [...state.keys()]) post(id);
      await Promise.all([...state.values()].map((s) => s.chain));
    },
  };
}
