import type { EmbeddingModel } from '../spec/models.js';
import { GEN_AI, LORE } from './attributes.js';
import { isTracing } from './tracing-state.js';
import { withSpan } from './with-span.js';

/**
 * The embedder with a span around each `embed` call (`embeddings <id>`: one per batch during ingestion),
 * saying how many texts it embedded. While tracing is off, a call goes straight through.
 */
export function traceEmbedder(embedder: EmbeddingModel): EmbeddingModel {
  return {
    id: embedder.id,
    dimensions: embedder.dimensions,
    languages: embedder.languages,
    embed(texts, options) {
      if (!isTracing()) return embedder.embed(texts, options);
      const attributes = { [GEN_AI.operationName]: 'embeddings', [GEN_AI.requestModel]: embedder.id, [LORE.texts]: texts.length };
      return withSpan(`embeddings ${embedder.id}`, attributes, () => embedder.embed(texts, options));
    },
    ...(embedder.close ? { close: () => embedder.close!() } : {}),
  };
}
