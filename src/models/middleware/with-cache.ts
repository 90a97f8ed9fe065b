import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GenerateEvent, GenerateRequest, LanguageModel } from '../../spec/models.js';
import { collectStream } from '../providers/openai-compatible.js';

export interface CacheOptions {
  /** Folder for cached responses (one JSON file per request). */
  dir: string;
}

const CACHE_VERSION = 1;

/** The cache key: the model and the whole request (messages, tools, format, limits), never the signal. */
export function requestKey(modelId: string, request: GenerateRequest): string {
  const { signal: _signal, ...rest } = request;
  return createHash('sha256').update(JSON.stringify({ v: CACHE_VERSION, model: modelId, request: rest })).digest('hex');
}

/**
 * An on-disk response cache: the same model asked the same thing answers from disk, as the same event
 * stream. Only complete responses are stored (written to a temporary file and renamed, so a crash never
 * leaves half an entry); a failed or cancelled call stores nothing.
 */
export function withCache(model: LanguageModel, options: CacheOptions): LanguageModel {
  mkdirSync(options.dir, { recursive: true });
  const pathFor = (request: GenerateRequest) => join(options.dir, `${requestKey(model.id, request)}.json`);
  const read = (path: string): GenerateEvent[] | undefined => {
    try {
      return (JSON.parse(readFileSync(path, 'utf8')) as { events: GenerateEvent[] }).events;
    } catch {
      return undefined;
    }
  };

  async function* stream(request: GenerateRequest): AsyncGenerator<GenerateEvent> {
    const path = pathFor(request);
    const cached = read(path);
    if (cached) {
      yield* cached;
      return;
    }
    const events: GenerateEvent[] = [];
    for await (const event of model.stream(request)) {
      events.push(event);
      yield event;
    }
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify({ model: model.id, events }));
    renameSync(temporary, path);
  }

  return { id: model.id, close: () => model.close?.() ?? Promise.resolve(), stream, generate: (request) => collectStream(stream(request), model.id) };
}
