import { z } from 'zod';
import type { EmbeddingModel } from '../../spec/models.js';
import type { SearchHit, Store } from '../../spec/store.js';
import type { Tool } from '../../spec/tool.js';
import { search, type SearchMode } from '../../retrieve/search.js';
import { defineTool } from '../define-tool.js';

export interface SearchToolOptions {
  store: Store;
  /** Search only this collection (the model then cannot choose another); default: the model may name one, else all. */
  collection?: string;
  /** For the vector side of hybrid search; without one, keyword search answers alone. */
  embedder?: EmbeddingModel;
  mode?: SearchMode;
  /** Passages returned when the model does not say (default 5). */
  k?: number;
  /** Each passage is cut to this many characters (default 1500): several long chunks would crowd out the conversation. */
  maxPassageChars?: number;
}

const MAX_K = 20;

/** Where a passage comes from, in the words a citation would use. */
export function describeHit(hit: SearchHit): string {
  const place = [hit.page ? `page ${hit.page}` : '', hit.headingPath.join(' › ')].filter(Boolean).join(', ');
  return `${hit.title ?? hit.source}${place ? ` (${place})` : ''}`;
}

/** Search over the ingested documents: the knowledge the agent is grounded in. */
export function createSearchTool(options: SearchToolOptions): Tool {
  const fixed = options.collection;
  const parameters = z.object({
    query: z.string().min(1).max(1000).describe('What to look for, in words likely to appear in the documents'),
    ...(fixed ? {} : { collection: z.string().optional().describe('Only this collection (default: all)') }),
    k: z.number().int().min(1).max(MAX_K).optional().describe(`How many passages (default ${options.k ?? 5})`),
  });
  const maxChars = options.maxPassageChars ?? 1500;
  return defineTool({
    name: 'search',
    description: `Searches the ingested documents${fixed ? ` of the "${fixed}" collection` : ''} and returns the most relevant passages, numbered, each with its source. Use it for any question the documents may answer, before answering from memory.`,
    parameters,
    risk: 'read',
    execute: async (args, { signal }) => {
      const collection = fixed ?? (args as { collection?: string }).collection;
      const hits = await search({
        store: options.store,
        query: args.query,
        k: args.k ?? options.k ?? 5,
        mode: options.mode ?? (options.embedder ? 'hybrid' : 'keyword'),
        embedder: options.embedder,
        filter: collection ? { collection } : undefined,
        signal,
      });
      if (hits.length === 0) return { content: `No passages matched "${args.query}". Try other words.`, data: { hits: [] } };
      const text = hits.map((hit, i) => {
        const body = hit.text.length > maxChars ? `${hit.text.slice(0, maxChars)} …` : hit.text;
        return `[${i + 1}] ${describeHit(hit)} — ${hit.source}\n${body.trim()}`;
      });
      return {
        content: text.join('\n\n'),
        data: { hits: hits.map((h) => ({ chunkId: h.chunkId, documentId: h.documentId, collection: h.collection, source: h.source, page: h.page, score: h.score })) },
      };
    },
  });
}
