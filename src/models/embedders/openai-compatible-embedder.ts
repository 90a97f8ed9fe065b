import { isLoreError, LoreError } from '../../spec/errors.js';
import type { EmbeddingModel } from '../../spec/models.js';
import { postJson } from '../providers/post-stream.js';
import { retryDelayMs, sleepFor } from '../middleware/backoff.js';

export interface OpenAICompatibleEmbedderOptions {
  /** e.g. https://api.openai.com/v1, http://127.0.0.1:11434/v1 (Ollama). */
  baseUrl: string;
  model: string;
  apiKey?: string;
  /** The id recorded on collections embedded with it (default `openai-compatible:URL#model`). */
  id?: string;
  /** Ask for this many dimensions (OpenAI text-embedding-3 models can shorten their vectors). */
  dimensions?: number;
  /** Texts per request (default 64; OpenAI allows 2048, local servers are happier with fewer). */
  batchSize?: number;
  /** Attempts after the first on a transient failure (default 3), waiting at least what Retry-After asks. */
  retries?: number;
  /** Milliseconds per request (default 60 000). */
  timeoutMs?: number;
  /** BCP 47 codes the model handles well; default any. */
  languages?: string[];
}

interface EmbeddingsResponse {
  data?: Array<{ index?: number; embedding?: number[] }>;
}

function unit(values: number[]): Float32Array {
  const v = Float32Array.from(values);
  let norm = 0;
  for (let i = 0; i < v.length; i++) norm += v[i]! * v[i]!;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i]! /= norm;
  return v;
}

/**
 * Embeddings over the OpenAI protocol (`POST /embeddings`), which OpenAI, Ollama, vLLM, LM Studio and
 * llama.cpp's server speak. Vectors are normalised here because not every server returns unit vectors, and
 * Lore's vector search is a dot product. The dimension is known after the first answer unless given.
 */
export function createOpenAICompatibleEmbedder(options: OpenAICompatibleEmbedderOptions): EmbeddingModel {
  const url = `${options.baseUrl.replace(/\/+$/, '')}/embeddings`;
  const batchSize = Math.max(1, options.batchSize ?? 64);
  let dimensions = options.dimensions ?? 0;

  async function embedBatch(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const body: Record<string, unknown> = { model: options.model, input: texts, encoding_format: 'float' };
    if (options.dimensions) body['dimensions'] = options.dimensions;
    const retries = options.retries ?? 3;
    for (let attempt = 0; ; attempt++) {
      try {
        const response = (await postJson({
          url,
          headers: options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {},
          body,
          signal,
          timeoutMs: options.timeoutMs ?? 60_000,
        })) as EmbeddingsResponse;
        const rows = response.data;
        if (!Array.isArray(rows) || rows.length !== texts.length || rows.some((r) => !Array.isArray(r.embedding))) {
          throw new LoreError({
            code: 'PROVIDER_ERROR',
            message: `${url} returned ${Array.isArray(rows) ? rows.length : 'no'} embeddings for ${texts.length} texts`,
            hint: 'is the model an embedding model?',
          });
        }
        // `index` says which input each row belongs to; servers are allowed to reorder.
        const ordered = [...rows].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
        const vectors = ordered.map((r) => unit(r.embedding!));
        const width = vectors[0]?.length ?? 0;
        if (vectors.some((v) => v.length !== width) || (dimensions && width !== dimensions)) {
          throw new LoreError({ code: 'PROVIDER_ERROR', message: `${url} returned vectors of ${width} dimensions, expected ${dimensions || 'one size'}` });
        }
        dimensions = width;
        return vectors;
      } catch (error) {
        if (!isLoreError(error) || !error.retryable || attempt >= retries) throw error;
        await sleepFor(retryDelayMs({ attempt, retryAfterMs: error.retryAfterMs, base: 500, max: 30_000 }), signal);
      }
    }
  }

  return {
    id: options.id ?? `openai-compatible:${options.baseUrl}#${options.model}`,
    get dimensions() {
      return dimensions;
    },
    languages: options.languages ?? [],
    async embed(texts, o) {
      const out: Float32Array[] = [];
      for (let i = 0; i < texts.length; i += batchSize) {
        // Empty strings are refused by OpenAI ("input cannot be an empty string"); a space embeds as nothing.
        const batch = texts.slice(i, i + batchSize).map((t) => (t.trim() ? t : ' '));
        out.push(...(await embedBatch(batch, o?.signal)));
        o?.onProgress?.(out.length, texts.length);
      }
      return out;
    },
  };
}
