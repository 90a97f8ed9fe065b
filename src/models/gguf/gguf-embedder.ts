import type { LlamaEmbeddingContext, Token } from 'node-llama-cpp';
import { isLoreError, LoreError } from '../../spec/errors.js';
import type { EmbeddingModel } from '../../spec/models.js';
import { acquireModel, defaultThreads, type SharedModel } from './load-llama.js';
import { readGgufHeader } from './read-gguf-header.js';
import { createSerialLock } from './serial-lock.js';

export interface GgufEmbedderOptions {
  /** The .gguf file of an embedding model (nomic-embed, bge, e5, gte …). */
  path: string;
  /** Tokens per text; longer texts are cut (default: the model's trained context, at most 2048). */
  contextSize?: number;
  /** CPU threads (default as for chat models: 1 below 200 MB, else every math core). */
  threads?: number;
  gpu?: boolean;
  gpuLayers?: number | 'auto' | 'max';
  /** BCP 47 codes the model handles well (default: any). */
  languages?: string[];
}

export interface GgufEmbedder extends EmbeddingModel {
  close(): Promise<void>;
}

const DEFAULT_MAX_CONTEXT = 2048;

function unit(values: readonly number[]): Float32Array {
  const v = Float32Array.from(values);
  let norm = 0;
  for (let i = 0; i < v.length; i++) norm += v[i]! * v[i]!;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i]! /= norm;
  return v;
}

/**
 * Embeddings from a GGUF model run in-process. The vector size comes from the file's header, so it is
 * known before the weights load; vectors are scaled to unit length (Lore's search is a dot product).
 * A model without a pooling type (a chat model) gives its last token's hidden state, which works but
 * embeds poorly: use a model made for embeddings.
 */
export function createGgufEmbedder(options: GgufEmbedderOptions): GgufEmbedder {
  const header = readGgufHeader({ path: options.path });
  const dimensions = header.embeddingLength;
  if (!dimensions) {
    throw new LoreError({ code: 'UNSUPPORTED_FORMAT', message: `${options.path} does not say its embedding size (${header.architecture}.embedding_length)`, hint: 'use an embedding model in GGUF format', subject: options.path });
  }
  const lock = createSerialLock();
  let loading: Promise<{ shared: SharedModel; context: LlamaEmbeddingContext; contextSize: number }> | undefined;

  async function load() {
    readGgufHeader({ path: options.path });
    const shared = await acquireModel({ path: options.path, gpu: options.gpu, gpuLayers: options.gpuLayers });
    try {
      const contextSize = options.contextSize ?? Math.min(header.contextLength ?? DEFAULT_MAX_CONTEXT, DEFAULT_MAX_CONTEXT);
      // The whole text must be one batch: pooling reads every token's state at once.
      const context = await shared.model.createEmbeddingContext({
        contextSize,
        batchSize: contextSize,
        threads: options.threads ?? defaultThreads({ llama: shared.llama, modelBytes: header.fileSize }),
      });
      return { shared, context, contextSize };
    } catch (cause) {
      await shared.release().catch(() => {});
      throw new LoreError({ code: 'PROVIDER_ERROR', message: `Could not create an embedding context for ${options.path}: ${(cause as Error)?.message ?? cause}`, subject: options.path, cause });
    }
  }

  return {
    id: `gguf:${options.path}`,
    dimensions,
    languages: options.languages ?? [],
    async embed(texts, embedOptions) {
      const signal = embedOptions?.signal;
      const release = await lock.acquire(signal);
      try {
        if (!loading) {
          loading = load();
          loading.catch(() => (loading = undefined));
        }
        const { shared, context, contextSize } = await loading;
        const model = shared.model;
        // Room for the BOS/EOS tokens node-llama-cpp adds, and the one position llama.cpp keeps free.
        const limit = contextSize - 3;
        const vectors: Float32Array[] = [];
        for (const text of texts) {
          if (signal?.aborted) throw new LoreError({ code: 'ABORTED', message: 'The embedding was cancelled', cause: signal.reason });
          let tokens: Token[] = model.tokenize(text).slice(0, limit);
          // An empty text still gets a vector (the model's for its start token): a zero vector has no direction.
          if (tokens.length === 0) tokens = [model.tokens.bos ?? model.tokens.eos ?? (0 as Token)];
          const embedding = await context.getEmbeddingFor(tokens);
          if (embedding.vector.length !== dimensions) {
            throw new LoreError({ code: 'PROVIDER_ERROR', message: `${options.path} gave a ${embedding.vector.length}-d vector; its header says ${dimensions}` });
          }
          vectors.push(unit(embedding.vector));
          embedOptions?.onProgress?.(vectors.length, texts.length);
        }
        return vectors;
      } catch (error) {
        if (isLoreError(error)) throw error;
        throw new LoreError({ code: 'PROVIDER_ERROR', message: `llama.cpp failed to embed with ${options.path}: ${(error as Error)?.message ?? error}`, cause: error });
      } finally {
        release();
      }
    },
    async close() {
      const release = await lock.acquire();
      try {
        const current = loading;
        loading = undefined;
        const state = await current?.catch(() => undefined);
        if (!state) return;
        await state.context.dispose();
        await state.shared.release();
      } finally {
        release();
      }
    },
  };
}
