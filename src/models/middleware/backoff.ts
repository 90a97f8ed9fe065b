import { LoreError } from '../../spec/errors.js';

/** Waits `ms`, or rejects with ABORTED as soon as the signal fires. */
export function sleepFor(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new LoreError({ code: 'ABORTED', message: 'The request was cancelled while waiting to retry' }));
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(new LoreError({ code: 'ABORTED', message: 'The request was cancelled while waiting to retry' }));
      },
      { once: true },
    );
  });
}

/** Exponential backoff with full jitter, never shorter than what Retry-After asked, never longer than `max`. */
export function retryDelayMs(o: { attempt: number; retryAfterMs?: number; base: number; max: number; random?: () => number }): number {
  const backoff = (o.random ?? Math.random)() * Math.min(o.max, o.base * 2 ** o.attempt);
  return Math.min(o.max, Math.max(backoff, o.retryAfterMs ?? 0));
}
