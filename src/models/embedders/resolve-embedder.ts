import { LoreError } from '../../spec/errors.js';
import type { EmbeddingModel } from '../../spec/models.js';
import { USE_LITE_MAX_WORDS } from './use-tokenizer.js';
import { createUseLiteEmbedder } from './use-lite-embedder.js';

/**
 * Maps an embedder spec a person can type, or the id a collection recorded (`local:use-lite@1`), to a model.
 * Only the bundled model exists for now; remote (openai:, ollama:) and local GGUF embedders come later.
 */
export function resolveEmbedder({ spec }: { spec: string }): EmbeddingModel {
  const trimmed = spec.trim();
  // `local:use-lite` without a version is what a person types, and what the first, unversioned embedder
  // recorded: both mean the current bundled model (a collection recorded unversioned is told to reindex).
  if (trimmed === 'local' || trimmed === 'local:use-lite' || trimmed === 'local:use-lite@1') return createUseLiteEmbedder();
  const cut = /^local:use-lite@1:w(\d+)$/u.exec(trimmed);
  const words = cut ? Number(cut[1]) : NaN;
  if (words >= 1 && words < USE_LITE_MAX_WORDS) return createUseLiteEmbedder({ maxWords: words });
  throw new LoreError({
    code: 'INVALID_ARGUMENT',
    message: `Unknown embedder "${trimmed}"`,
    hint:
      'use `local` (the bundled English model, USE-lite) or `none`; remote embedders (openai:, ollama:) and local GGUF models are not supported yet',
    subject: trimmed,
  });
}
