// Query-side retrieval steps: each runs before or around search, each is off unless asked for.
export { fuseQueryRankings, reciprocalRankFusion, DEFAULT_RRF_K, type WeightedRanking, type QueryFusionOptions, type QueryFusionMethod } from './rag-fusion.js';
export {
  searchVariants,
  addUsage,
  type QueryVariant,
  type QueryVariantKind,
  type VariantRun,
  type SearchVariantsOptions,
  type TransformedSearchResult,
} from './query-variants.js';
export { rephraseQuestion, multiQuerySearch, DEFAULT_REPHRASINGS, type RephraseOptions, type Rephrasings, type MultiQuerySearchOptions } from './multi-query.js';
export { writeHypotheticalPassage, hydeSearch, type HypotheticalPassageOptions, type HydeSearchOptions } from './hyde.js';
export { expandQuery, expandedSearch, type QueryTransforms, type ExpandQueryOptions, type ExpandedQuery, type ExpandedSearchOptions } from './expand-query.js';
export {
  describeCollectionFields,
  BOOKKEEPING_FIELDS,
  type CollectionFields,
  type FieldSummary,
  type FieldKind,
  type DescribeCollectionOptions,
} from './collection-fields.js';
export { selfQuery, validateSelfQuery, resolveSourceGlob, describeForModel, type SelfQuery, type SelfQueryDraft, type SelfQueryOptions } from './self-query.js';
export {
  routeQuestion,
  routesFromCollections,
  collectionCentroid,
  ROUTE_METHODS,
  NONE_DESCRIPTION,
  DEFAULT_NONE_PATTERNS,
  type Route,
  type RouteKind,
  type RouteMethod,
  type RouteDecision,
  type RouteQuestionOptions,
} from './route-question.js';
export { shapeQuestion, type ShapeQuestionOptions, type ShapedQuestion } from './shape-question.js';
export { lenientList } from './lenient-list.js';
export { createLlmReranker, type LlmRerankerOptions, type LlmRerankMethod } from '../rerank/llm-rerank.js';
