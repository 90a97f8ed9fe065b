export { dot, topKByCosine, type TopKOptions, type TopKResult } from './cosine.js';
export { resolveEmbedder } from './resolve-embedder.js';
export { createUseLiteEmbedder, type UseLiteEmbedder, type UseLiteEmbedderOptions } from './use-lite-embedder.js';
