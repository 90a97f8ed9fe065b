export { DEFAULT_SPLIT_OPTIONS, checkSplitOptions } from './split-options.js';
export { splitDocument, type SplitDocumentOptions } from './split-document.js';
export { recursiveSplitter, splitText, type SplitTextOptions } from './recursive-splitter.js';
export { markdownSplitter, splitMarkdownRange, type SplitMarkdownRangeOptions } from './markdown-splitter.js';
export {
  headingPathAt,
  parseMarkdownOutline,
  sectionIndexAt,
  type MarkdownOutline,
  type MarkdownSection,
} from './markdown-outline.js';
export { splitBlocks, type RangePiece, type SplitBlocksOptions } from './split-blocks.js';
export { findOverlapStart, type PreviousChunk } from './overlap.js';
export { trimSpan, type Span, type TextPiece } from './span.js';
