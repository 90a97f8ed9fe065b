import { LoreError } from '../../spec/errors.js';
import type { EmbeddingModel } from '../../spec/models.js';
import { createUseLiteEmbedder } from './use-lite-embedder.js';

export { createUseLiteEmbedder, type UseLiteEmbedderOptions } from './use-lite-embedder.js';

/** Maps an embedder spec a person can type to a model. */
export function resolveEmbedder(options: { spec: string }): EmbeddingModel {
  const spec = options.spec.trim();
  if (spec === 'local' || spec === 'local:use-lite') return createUseLiteEmbedder();
  throw new LoreError({
    code: 'INVALID_ARGUMENT',
    message: `Unknown embedder "${spec}"`,
    hint: 'use `local` (the bundled English model) or `none`; remote (openai:, ollama:) and GGUF embedders come with the models work',
    subject: spec,
  });
}
