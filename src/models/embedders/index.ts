export { dot, topKByCosine, type TopKOptions, type TopKResult } from './cosine.js';
export { resolveEmbedder, type ResolveEmbedderOptions } from './resolve-embedder.js';
export { createOpenAICompatibleEmbedder, type OpenAICompatibleEmbedderOptions } from './openai-compatible-embedder.js';
export { createUseLiteEmbedder, type UseLiteEmbedder, type UseLiteEmbedderOptions } from './use-lite-embedder.js';
