import type { Usage } from '../../spec/models.js';
import { supportsText } from '../../text/language.js';
import { searchWithNotes, type SearchMode, type SearchOptions, type SearchResult } from '../search.js';
import { fuseQueryRankings, type QueryFusionMethod, type WeightedRanking } from './rag-fusion.js';

/** Where a searched text came from. */
export type QueryVariantKind = 'original' | 'rephrasing' | 'hypothetical';

/** One text to retrieve for: the question, a rephrasing of it, or a hypothetical answer passage (HyDE). */
export interface QueryVariant {
  text: string;
  kind: QueryVariantKind;
  /** Weight of its ranking in the fusion (default 1). */
  weight?: number;
  /** Search mode for this text (default: the search's own). HyDE passages go to the vector side. */
  mode?: SearchMode;
}

/** What a search over several query variants ran. */
export interface VariantRun {
  text: string;
  kind: QueryVariantKind;
  weight: number;
  mode: SearchMode;
  /** Hits this variant's own search brought to the fusion. */
  hits: number;
}

export interface SearchVariantsOptions extends SearchOptions {
  /** Texts to retrieve for; the original question is normally among them, first. */
  variants: QueryVariant[];
  /** Hits taken from each variant's search into the fusion (default max(k, 50)). */
  candidates?: number;
  /** How the variants' rankings are fused (default `score`: measured better than RRF, see rag-fusion.ts). */
  fusionMethod?: QueryFusionMethod;
  /** RRF's rank constant (default 60), with `fusionMethod: 'rrf'`. */
  rrfK?: number;
}

export interface TransformedSearchResult extends SearchResult {
  /** Every search that ran, in order. */
  queries: VariantRun[];
  /** Tokens the model spent transforming the query (zero when no model ran). */
  usage: Usage;
}

const DEFAULT_CANDIDATES = 50;

/**
 * Retrieves for each variant with the ordinary search (hybrid fusion of the keyword and vector sides, filters,
 * feedback: all as for one query) and fuses the rankings with a weight each (`fuseQueryRankings`). A single
 * variant is searched as is, without fusion, so a transform that produced nothing new returns exactly the
 * plain search.
 * A variant meant for the vector side falls back to keyword search, with a note, when there is no embedder
 * or the embedder does not represent its language (an English-only model's vector of Chinese text is noise).
 */
export async function searchVariants(options: SearchVariantsOptions): Promise<Omit<TransformedSearchResult, 'usage'>> {
  const { variants, candidates, rrfK, fusionMethod, ...search } = options;
  const k = search.k ?? 10;
  const mode = search.mode ?? 'hybrid';
  const notes: string[] = [];
  const queries: VariantRun[] = [];
  const active = variants.filter((v) => v.text.trim() !== '' && (v.weight ?? 1) > 0);
  const depth = active.length > 1 ? Math.max(k, candidates ?? DEFAULT_CANDIDATES) : k;
  const rankings: WeightedRanking[] = [];
  for (const variant of active) {
    const variantMode = modeFor({ variant, mode, embedder: search.embedder, notes });
    const found = await searchWithNotes({ ...search, query: variant.text, mode: variantMode, k: depth });
    notes.push(...found.notes);
    const weight = variant.weight ?? 1;
    queries.push({ text: variant.text, kind: variant.kind, weight, mode: variantMode, hits: found.hits.length });
    rankings.push({ hits: found.hits, weight, scale: variantMode === 'vector' ? 'min-max' : 'max' });
  }
  const hits = rankings.length === 1 ? rankings[0]!.hits.slice(0, k) : fuseQueryRankings({ rankings, k, method: fusionMethod, rrfK });
  return { hits, mode, notes: [...new Set(notes)], queries };
}

function modeFor(o: { variant: QueryVariant; mode: SearchMode; embedder: SearchOptions['embedder']; notes: string[] }): SearchMode {
  const wanted = o.variant.mode ?? o.mode;
  if (wanted !== 'vector') return wanted;
  if (!o.embedder) {
    o.notes.push(`no embedder: the ${o.variant.kind} text is searched by keywords`);
    return 'keyword';
  }
  if (!supportsText(o.embedder.languages, o.variant.text)) {
    o.notes.push(`${o.embedder.id} does not represent the ${o.variant.kind} text's language: searched by keywords`);
    return 'keyword';
  }
  return 'vector';
}

/** Adds token counts; `estimated` when any part was. */
export function addUsage(...parts: Array<Usage | undefined>): Usage {
  const total: Usage = { inputTokens: 0, outputTokens: 0 };
  for (const part of parts) {
    if (!part) continue;
    total.inputTokens += part.inputTokens;
    total.outputTokens += part.outputTokens;
    if (part.estimated) total.estimated = true;
  }
  return total;
}
