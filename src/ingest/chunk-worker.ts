import { parentPort } from 'node:worker_threads';
import { buildChunksHere, type ChunkWork } from './chunk-work.js';

export interface ChunkRequest {
  id: number;
  work: ChunkWork;
}

export type ChunkResponse = { id: number; chunks: ReturnType<typeof buildChunksHere> } | { id: number; error: string };

parentPort?.on('message', (request: ChunkRequest) => {
  try {
    parentPort!.postMessage({ id: request.id, chunks: buildChunksHere(request.work) } satisfies ChunkResponse);
  } catch (error) {
    parentPort!.postMessage({ id: request.id, error: String((error as Error)?.stack ?? error) } satisfies ChunkResponse);
  }
});
