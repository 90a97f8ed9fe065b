import { parentPort } from 'node:worker_threads';
import { embedHere } from './use-lite-core.js';

export interface EmbedRequest {
  id: number;
  texts: string[];
  maxWords: number;
}

export type EmbedResponse = { id: number; vectors: Float32Array[] } | { id: number; error: string };

parentPort?.on('message', (request: EmbedRequest) => {
  embedHere(request.texts, request.maxWords).then(
    (vectors) => parentPort!.postMessage({ id: request.id, vectors } satisfies EmbedResponse),
    (error: unknown) => parentPort!.postMessage({ id: request.id, error: String((error as Error)?.stack ?? error) } satisfies EmbedResponse),
  );
});
