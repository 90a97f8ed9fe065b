import { LoreError } from '../../spec/errors.js';
import type { GenerateEvent, GenerateRequest, LanguageModel } from '../../spec/models.js';
import { collectStream } from '../providers/openai-compatible.js';

/**
 * At most `limit` calls to the model at once; the rest wait in arrival order. A local server (Ollama, a
 * GGUF model) serves one or two requests at a time, and a paid API answers a burst with 429s.
 */
export function withConcurrency(model: LanguageModel, options: { limit: number }): LanguageModel {
  const limit = Math.max(1, Math.floor(options.limit));
  let running = 0;
  const waiting: Array<() => void> = [];

  const acquire = async (signal?: AbortSignal): Promise<void> => {
    if (running < limit) {
      running++;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const entry = () => {
        signal?.removeEventListener('abort', onAbort);
        running++;
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
  };
  const release = () => {
    running--;
    waiting.shift()?.();
  };

  async function* stream(request: GenerateRequest): AsyncGenerator<GenerateEvent> {
    await acquire(request.signal);
    try {
      yield* model.stream(request);
    } finally {
      release();
    }
  }

  return { id: model.id, close: () => model.close?.() ?? Promise.resolve(), stream, generate: (request) => collectStream(stream(request), model.id) };
}
