import { LoreError } from '../../spec/errors.js';

/**
 * One holder at a time, in arrival order. A GGUF model answers on a single context sequence (its KV
 * cache), so requests take turns; a request cancelled while waiting leaves the line at once.
 */
export interface SerialLock {
  acquire(signal?: AbortSignal): Promise<() => void>;
}

export function createSerialLock(): SerialLock {
  let held = false;
  const waiting: Array<() => void> = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else held = false;
  };
  return {
    async acquire(signal) {
      if (signal?.aborted) throw new LoreError({ code: 'ABORTED', message: 'The request was cancelled' });
      if (!held) {
        held = true;
        return once(release);
      }
      await new Promise<void>((resolve, reject) => {
        const entry = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          const i = waiting.indexOf(entry);
          if (i >= 0) waiting.splice(i, 1);
          reject(new LoreError({ code: 'ABORTED', message: 'The request was cancelled while waiting for its turn' }));
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        waiting.push(entry);
      });
      return once(release);
    },
  };
}

function once(fn: () => void): () => void {
  let called = false;
  return () => {
    if (called) return;
    called = true;
    fn();
  };
}
