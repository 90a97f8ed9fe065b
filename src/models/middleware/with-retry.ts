import { isLoreError, type LoreError } from '../../spec/errors.js';
import { retryDelayMs, sleepFor } from './backoff.js';
import type { GenerateEvent, GenerateRequest, LanguageModel } from '../../spec/models.js';

export interface RetryOptions {
  /** Attempts after the first (default 3). */
  retries?: number;
  /** First backoff in ms (default 500); doubles each time, with full jitter. */
  baseDelayMs?: number;
  /** Longest single wait, Retry-After included (default 30 000). */
  maxDelayMs?: number;
  /** For tests: how to wait. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** For tests: jitter source in [0, 1). */
  random?: () => number;
}

/**
 * Retries transient failures (rate limits, 5xx, dropped connections) with exponential backoff and full
 * jitter, waiting at least what Retry-After asks. A stream is retried only before its first event: once
 * text has reached the caller it cannot be taken back, so a later failure is reported, not replayed.
 */
export function withRetry(model: LanguageModel, options: RetryOptions = {}): LanguageModel {
  const retries = options.retries ?? 3;
  const base = options.baseDelayMs ?? 500;
  const max = options.maxDelayMs ?? 30_000;
  const sleep = options.sleep ?? sleepFor;
  const random = options.random ?? Math.random;

  const delayFor = (attempt: number, error: LoreError): number => retryDelayMs({ attempt, retryAfterMs: error.retryAfterMs, base, max, random });
  const shouldRetry = (error: unknown, attempt: number): error is LoreError => isLoreError(error) && error.retryable && attempt < retries;

  return {
    id: model.id,
    close: () => model.close?.() ?? Promise.resolve(),
    async generate(request) {
      for (let attempt = 0; ; attempt++) {
        try {
          return await model.generate(request);
        } catch (error) {
          if (!shouldRetry(error, attempt)) throw error;
          await sleep(delayFor(attempt, error), request.signal);
        }
      }
    },
    stream(request: GenerateRequest): AsyncIterable<GenerateEvent> {
      return {
        async *[Symbol.asyncIterator]() {
          for (let attempt = 0; ; attempt++) {
            let yielded = false;
            try {
              for await (const event of model.stream(request)) {
                yielded = true;
                yield event;
              }
              return;
            } catch (error) {
              if (yielded || !shouldRetry(error, attempt)) throw error;
              await sleep(delayFor(attempt, error), request.signal);
            }
          }
        },
      };
    },
  };
}
