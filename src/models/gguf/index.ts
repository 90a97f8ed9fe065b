export { createGgufModel, type GgufModel, type GgufModelOptions, type GgufModelStats, type GgufRequestStats } from './gguf-model.js';
export { createGgufEmbedder, type GgufEmbedder, type GgufEmbedderOptions } from './gguf-embedder.js';
export { readGgufHeader, type GgufHeader } from './read-gguf-header.js';
