import { parentPort } from 'node:worker_threads';
import { loadUseLiteRunner } from './use-lite-core.js';

/** Token-id rows to embed; the worker answers each request in the order received. */
export interface EmbedderRequest {
  id: number;
  rows: Int32Array[];
}

export type EmbedderResponse =
  /** Sent once, when the model has loaded: until then the pool gives this worker nothing. */
  | { ready: true }
  | { ready: false; error: string }
  /** rows × 512 floats, unit-length rows; the buffer is transferred, not copied. */
  | { id: number; vectors: Float32Array }
  | { id: number; error: string };

const port = parentPort;
if (port) {
  // Load at once: the worker's ~1 s of start-up overlaps the calling thread's tokenizing and first batches.
  const runner = loadUseLiteRunner();
  runner.then(
    () => port.postMessage({ ready: true } satisfies EmbedderResponse),
    (error: unknown) => port.postMessage({ ready: false, error: describe(error) } satisfies EmbedderResponse),
  );
  // One batch at a time: the pool sends the next batch before this one ends (so no round trip is idle), and
  // running them interleaved on one WASM heap would only add contention.
  let chain: Promise<void> = Promise.resolve();
  port.on('message', (request: EmbedderRequest) => {
    chain = chain.then(async () => {
      try {
        const vectors = await (await runner).embedTokens(request.rows);
        port.postMessage({ id: request.id, vectors } satisfies EmbedderResponse, [vectors.buffer as ArrayBuffer]);
      } catch (error) {
        port.postMessage({ id: request.id, error: describe(error) } satisfies EmbedderResponse);
      }
    });
  });
}

function describe(error: unknown): string {
  return String((error as Error | undefined)?.stack ?? error);
}
