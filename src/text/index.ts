export * from './normalize.js';
export * from './segment-words.js';
export * from './sentences.js';
export * from './stopwords.js';
export * from './stem.js';
export * from './analyze.js';
export * from './count-tokens.js';
export * from './scripts.js';
