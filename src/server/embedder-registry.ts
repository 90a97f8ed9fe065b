import { resolveEmbedder, type EmbeddingModel, type Store } from '../index.js';

type ResolveEmbedderOptions = Parameters<typeof resolveEmbedder>[0];

export interface EmbedderRegistry {
  /** The server's embedder (`--embedder`, default the bundled model); undefined with `none`. */
  readonly defaultEmbedder: EmbeddingModel | undefined;
  /** The embedder a collection was embedded with, else the default. */
  forCollection(collection: string): Promise<EmbeddingModel | undefined>;
  /** By a name a client sends to /v1/embeddings: `local`, the default's id or spec. */
  byName(name: string): EmbeddingModel | undefined;
  /** Loads the default embedder once (first call embeds a word), for /readyz. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

const LOCAL_NAMES = new Set(['local', 'lore/local', 'use-lite', 'local:use-lite', 'local:use-lite@1']);

/** Embedders by spec, each made once and shared by every request (a model load is seconds and memory). */
export function createEmbedderRegistry(options: { spec: string; store: Store; resolve?: Omit<ResolveEmbedderOptions, 'spec'> }): EmbedderRegistry {
  const cache = new Map<string, EmbeddingModel>();
  const get = (spec: string): EmbeddingModel => {
    let model = cache.get(spec);
    if (!model) {
      model = resolveEmbedder({ ...options.resolve, spec });
      cache.set(spec, model);
      cache.set(model.id, model);
    }
    return model;
  };
  const defaultEmbedder = options.spec === 'none' ? undefined : get(options.spec);
  let loading: Promise<void> | undefined;
  return {
    defaultEmbedder,
    async forCollection(collection) {
      const recorded = (await options.store.getCollection(collection))?.settings['embedder'];
      return typeof recorded === 'string' ? get(recorded) : defaultEmbedder;
    },
    byName(name) {
      if (LOCAL_NAMES.has(name)) return get('local');
      if (defaultEmbedder && (name === defaultEmbedder.id || name === options.spec)) return defaultEmbedder;
      return undefined;
    },
    ready() {
      if (!defaultEmbedder) return Promise.resolve();
      // A failed load is retried on the next probe rather than remembered.
      loading ??= defaultEmbedder.embed(['ready']).then(
        () => undefined,
        (error: unknown) => {
          loading = undefined;
          throw error;
        },
      );
      return loading;
    },
    async close() {
      await Promise.all([...new Set(cache.values())].map((m) => m.close?.()));
    },
  };
}
