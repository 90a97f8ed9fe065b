import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { EmbeddingModel, LanguageModel } from '../../spec/models.js';
import type { DocumentRecord, SearchHit, Store } from '../../spec/store.js';
import { search, type SearchMode } from '../../retrieve/search.js';
import { answerExtractively } from '../../rag/extractive-answer.js';
import { answerWithModel } from '../../rag/generate-answer.js';
import { describeHit } from '../tools/search-tool.js';

export interface LoreMcpServerOptions {
  store: Store;
  /** Only these collections are searched and listed (default: all). */
  collections?: readonly string[];
  /** For hybrid search; without one, keyword search. */
  embedder?: EmbeddingModel;
  mode?: SearchMode;
  /** Writes the `ask` answers; without one they are extractive (quoted sentences with citations). */
  model?: LanguageModel;
  /** Documents listed as resources at most (default 1000); all stay readable by URI. */
  maxListedDocuments?: number;
  version?: string;
}

/** `lore://collection/<name>/document/<uid>`: the stable uid survives re-ingestion, unlike the row id. */
export function documentUri(document: Pick<DocumentRecord, 'collection' | 'uid'>): string {
  return `lore://collection/${encodeURIComponent(document.collection)}/document/${encodeURIComponent(document.uid)}`;
}

/** The part of a store that reads a document's chunks back (present on the SQLite store; optional elsewhere). */
/** A document's text from its chunks: overlaps dropped by offset, gaps (white space no chunk kept) as a line break. */
export async function documentText(options: { store: Store; document: DocumentRecord }): Promise<string> {
  const chunks = (await options.store.documentChunks({ documentId: options.document.id })).sort((a, b) => a.ordinal - b.ordinal);
  let text = '';
  let position = -1;
  for (const chunk of chunks) {
    if (position >= 0 && chunk.end <= position) continue;
    if (position >= 0 && chunk.start > position) text += '\n';
    text += position > chunk.start ? chunk.text.slice(position - chunk.start) : chunk.text;
    position = chunk.end;
  }
  return text;
}

async function formatHits(hits: SearchHit[], store: Store): Promise<string> {
  const docs = await Promise.all(hits.map((hit) => store.getDocument(hit.documentId)));
  return hits
    .map((hit, i) => {
      const doc = docs[i];
      const uri = doc ? `\n${documentUri(doc)}` : '';
      return `[${i + 1}] ${describeHit(hit)} — ${hit.source}${uri}\n${hit.text.trim()}`;
    })
    .join('\n\n');
}

/**
 * Lore's collections as an MCP server: tools `search` (passages with their sources) and `ask` (an answer
 * with citations), and every document as a resource `lore://collection/<name>/document/<uid>`. Both tools
 * are declared read-only and closed-world, so clients can run them without asking. Connect it to a
 * transport (`lore mcp` uses stdio).
 */
export function createLoreMcpServer(options: LoreMcpServerOptions): McpServer {
  const { store } = options;
  const allowed = options.collections?.length ? new Set(options.collections) : undefined;
  const server = new McpServer({ name: 'lore', version: options.version ?? '0.1.0' }, { capabilities: { tools: {}, resources: {} } });
  const mode = options.mode ?? (options.embedder ? 'hybrid' : 'keyword');
  const collectionNames = async () => (await store.listCollections()).map((c) => c.name).filter((n) => !allowed || allowed.has(n));

  const retrieve = async (query: string, collection: string | undefined, k: number, signal: AbortSignal): Promise<SearchHit[] | string> => {
    if (collection) {
      const names = await collectionNames();
      if (!names.includes(collection)) return `There is no collection "${collection}". The collections are: ${names.join(', ') || '(none)'}.`;
    }
    const searched = collection ? [collection] : allowed ? [...allowed] : [undefined];
    const hits: SearchHit[] = [];
    for (const c of searched) hits.push(...(await search({ store, query, k, mode, embedder: options.embedder, filter: c ? { collection: c } : undefined, signal })));
    return hits.sort((a, b) => b.score - a.score).slice(0, k);
  };
  const collectionArg = z.string().optional().describe('Only this collection (default: all)');
  const annotations = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };

  server.registerTool(
    'search',
    {
      title: 'Search documents',
      description: 'Searches the documents ingested into Lore and returns the most relevant passages, numbered, each with its source and the lore:// URI of its document.',
      inputSchema: { query: z.string().min(1).describe('What to look for'), collection: collectionArg, k: z.number().int().min(1).max(50).optional().describe('Passages to return (default 8)') },
      annotations,
    },
    async ({ query, collection, k }, extra) => {
      const hits = await retrieve(query, collection, k ?? 8, extra.signal);
      if (typeof hits === 'string') return { content: [{ type: 'text', text: hits }], isError: true };
      if (hits.length === 0) return { content: [{ type: 'text', text: `No passages matched "${query}".` }] };
      return { content: [{ type: 'text', text: await formatHits(hits, store) }] };
    },
  );

  server.registerTool(
    'ask',
    {
      title: 'Answer from documents',
      description: options.model
        ? 'Answers a question from the documents ingested into Lore, citing its sources as [n] with the list of sources after the answer.'
        : 'Answers a question from the documents ingested into Lore by quoting the sentences that answer it, each cited as [n], with the list of sources after the answer.',
      inputSchema: { question: z.string().min(1).describe('The question'), collection: collectionArg },
      annotations,
    },
    async ({ question, collection }, extra) => {
      const hits = await retrieve(question, collection, 8, extra.signal);
      if (typeof hits === 'string') return { content: [{ type: 'text', text: hits }], isError: true };
      const answer = options.model && hits.length > 0 ? await answerWithModel({ question, hits, model: options.model, signal: extra.signal }) : answerExtractively({ question, hits });
      const docs = await Promise.all(answer.citations.map((c) => store.getDocument(c.documentId)));
      const sources = answer.citations.map((c, i) => {
        const doc = docs[i];
        return `[${c.n}] ${c.title ?? c.source}${c.page ? `, page ${c.page}` : ''} — ${c.source}${doc ? ` (${documentUri(doc)})` : ''}`;
      });
      const text = sources.length ? `${answer.text}\n\nSources:\n${sources.join('\n')}` : answer.text;
      return { content: [{ type: 'text', text }] };
    },
  );

  server.registerResource(
    'document',
    new ResourceTemplate('lore://collection/{collection}/document/{id}', {
      list: async () => {
        const max = options.maxListedDocuments ?? 1000;
        const documents = (allowed ? (await Promise.all([...allowed].map((c) => store.listDocuments({ collection: c })))).flat() : await store.listDocuments()).slice(0, max);
        return {
          resources: documents.map((d) => ({ uri: documentUri(d), name: d.title ?? d.source, description: `${d.type} document in the "${d.collection}" collection: ${d.source}`, mimeType: 'text/plain' })),
        };
      },
      complete: { collection: async (value) => (await collectionNames()).filter((n) => n.startsWith(value)) },
    }),
    { title: 'Lore document', description: 'A document ingested into Lore, as text', mimeType: 'text/plain' },
    async (uri, variables) => {
      const collection = decodeURIComponent(String(variables['collection']));
      const id = decodeURIComponent(String(variables['id']));
      const document = await store.getDocument(id);
      if (!document || document.collection !== collection || (allowed && !allowed.has(collection))) {
        throw new Error(`No document ${id} in the collection "${collection}"`);
      }
      const text = await documentText({ store, document });
      return { contents: [{ uri: uri.href, mimeType: 'text/plain', text }] };
    },
  );
  return server;
}
