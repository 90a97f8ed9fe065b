import type { EmbeddingModel } from '../../spec/models.js';
import type { Store } from '../../spec/store.js';
import { resolveEmbedder } from '../../models/embedders/index.js';
import { modelEnvironment } from './model-environment.js';

/**
 * The embedder a command uses: `--embedder none` means none; an explicit spec wins; otherwise the one the
 * collection was embedded with; otherwise the bundled local model.
 */
export async function chooseEmbedder(o: { spec?: string; store?: Store; collection?: string }): Promise<EmbeddingModel | undefined> {
  if (o.spec === 'none') return undefined;
  if (o.spec) return resolveEmbedder({ spec: o.spec, ...modelEnvironment() });
  const recorded = o.collection ? (await o.store?.getCollection(o.collection))?.settings['embedder'] : undefined;
  if (typeof recorded === 'string') return resolveEmbedder({ spec: recorded, ...modelEnvironment() });
  return resolveEmbedder({ spec: 'local' });
}
