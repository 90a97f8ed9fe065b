import { LoreError } from '../../spec/errors.js';
import type { EmbeddingModel } from '../../spec/models.js';
import { USE_LITE_MAX_WORDS } from './use-tokenizer.js';
import { createUseLiteEmbedder } from './use-lite-embedder.js';
import { createOpenAICompatibleEmbedder } from './openai-compatible-embedder.js';
import { createGgufEmbedder } from '../gguf/gguf-embedder.js';

export interface ResolveEmbedderOptions {
  /** `local`, `openai:text-embedding-3-small`, `ollama:nomic-embed-text`, `openai-compatible:URL#model`. */
  spec: string;
  /** Keys by provider (`openai`, `openai-compatible`); the CLI fills them from the environment. */
  apiKeys?: Record<string, string | undefined>;
  /** Ollama's address (default http://127.0.0.1:11434). */
  ollamaUrl?: string;
}

/**
 * Maps an embedder spec a person can type, or the id a collection recorded (`local:use-lite@1`,
 * `ollama:nomic-embed-text`), to a model. Ids never contain keys, so a recorded id resolves again later.
 */
export function resolveEmbedder(options: ResolveEmbedderOptions): EmbeddingModel {
  const trimmed = options.spec.trim();
  // `local:use-lite` without a version is what a person types, and what the first, unversioned embedder
  // recorded: both mean the current bundled model (a collection recorded unversioned is told to reindex).
  if (trimmed === 'local' || trimmed === 'local:use-lite' || trimmed === 'local:use-lite@1') return createUseLiteEmbedder();
  const cut = /^local:use-lite@1:w(\d+)$/u.exec(trimmed);
  const words = cut ? Number(cut[1]) : NaN;
  if (words >= 1 && words < USE_LITE_MAX_WORDS) return createUseLiteEmbedder({ maxWords: words });
  const remote = resolveRemoteEmbedder(trimmed, options);
  if (remote) return remote;
  throw new LoreError({
    code: 'INVALID_ARGUMENT',
    message: `Unknown embedder "${trimmed}"`,
    hint:
      'use `local` (the bundled English model, USE-lite), `none`, openai:MODEL, ollama:MODEL, openai-compatible:URL#MODEL or gguf:PATH',
    subject: trimmed,
  });
}

function resolveRemoteEmbedder(spec: string, options: ResolveEmbedderOptions): EmbeddingModel | undefined {
  const colon = spec.indexOf(':');
  const provider = spec.slice(0, colon);
  const rest = spec.slice(colon + 1);
  const fail = (hint: string) => new LoreError({ code: 'INVALID_ARGUMENT', message: `Cannot use the embedder "${spec}"`, hint, subject: spec });
  switch (provider) {
    case 'openai': {
      const apiKey = options.apiKeys?.['openai'];
      if (!rest) throw fail('name the model, e.g. openai:text-embedding-3-small');
      if (!apiKey) throw fail('set OPENAI_API_KEY');
      return createOpenAICompatibleEmbedder({ baseUrl: 'https://api.openai.com/v1', model: rest, apiKey, id: spec, batchSize: 256 });
    }
    case 'ollama':
      if (!rest) throw fail('name the model, e.g. ollama:nomic-embed-text');
      return createOpenAICompatibleEmbedder({ baseUrl: `${(options.ollamaUrl ?? 'http://127.0.0.1:11434').replace(/\/+$/, '')}/v1`, model: rest, id: spec });
    case 'openai-compatible': {
      const hash = rest.lastIndexOf('#');
      if (hash <= 0 || hash === rest.length - 1) throw fail('write it as openai-compatible:URL#model, e.g. openai-compatible:http://localhost:8000/v1#bge-m3');
      return createOpenAICompatibleEmbedder({ baseUrl: rest.slice(0, hash), model: rest.slice(hash + 1), apiKey: options.apiKeys?.['openai-compatible'], id: spec });
    }
    case 'gguf':
      if (!rest) throw fail('give the model file, e.g. gguf:./models/bge-m3-q8_0.gguf');
      return createGgufEmbedder({ path: rest });
    default:
      return undefined;
  }
}
