import { Command, InvalidArgumentError, Option } from 'commander';
import { isContextHit } from '../../retrieve/context-hit.js';
import { CONTEXT_MODES, type ContextMode } from '../../retrieve/expand-context.js';
import { retrieve } from '../../retrieve/pipeline.js';
import { SEARCH_MODES, type SearchMode } from '../../retrieve/search.js';
import type { SearchHit } from '../../spec/store.js';
import { displayPath, oneLine } from '../format.js';
import type { CommandContext } from '../main.js';
import { chooseEmbedder } from './embedder-option.js';
import { collectWhere, parseCount } from './parse-options.js';
import { printJson, withStore } from './open-store.js';

interface SearchCliOptions {
  k: number;
  collection?: string;
  source?: string;
  type?: string;
  where?: Record<string, string | number | boolean>;
  mode: SearchMode;
  expand?: boolean;
  embedder?: string;
  vectorWeight?: number;
  rerank?: 'none' | 'mmr' | 'embedding';
  mmrLambda?: number;
  candidates?: number;
  context?: ContextMode;
  window?: number;
  sentences?: boolean;
  contextTokens?: number;
  compress?: number | true;
}

function fraction(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n >= 0 && n <= 1)) throw new InvalidArgumentError('expected a number from 0 to 1');
  return n;
}

function positive(value: string): number {
  const n = parseCount(value);
  if (n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
}

export function registerSearch(program: Command, _context: CommandContext): void {
  program
    .command('search')
    .description('search the ingested documents: keyword (BM25), vector (embeddings) or hybrid (both, the default)')
    .argument('<query>', 'what to look for')
    .option('-k, --k <n>', 'number of results', parseCount, 10)
    .option('-c, --collection <name>', 'only this collection')
    .option('--source <glob>', 'only documents whose path matches this glob, e.g. "**/reports/*.pdf"')
    .option('--type <type>', 'only this document type: pdf, docx, html, markdown, csv, json, jsonl, text, code')
    .option('--where <key=value>', 'only chunks whose metadata field equals the value (repeatable)', collectWhere)
    .addOption(new Option('--mode <mode>', 'keyword, vector or hybrid').choices(SEARCH_MODES as string[]).default('hybrid'))
    .option('--expand', 'keyword side: expand the query with terms from its best results (default in hybrid mode)')
    .option('--no-expand', 'keyword side: no query expansion')
    .option('--embedder <spec>', "embedding model: local (the bundled one), none; default: the collection's")
    .addOption(new Option('--vector-weight <w>', 'hybrid: weight of the vector side, 0–1 (default 0.1)').argParser(Number))
    .addOption(new Option('--rerank <kind>', 'rerank the candidates: mmr (diversity) or embedding (query–passage similarity)').choices(['none', 'mmr', 'embedding']))
    .option('--mmr-lambda <λ>', 'mmr: relevance against novelty, 0–1 (default 0.7)', fraction)
    .option('--candidates <n>', 'hits the reranker reorders (default max(k, 50))', positive)
    .addOption(new Option('--context <mode>', 'hand back more than the chunk: window (neighbours) or parent (its section)').choices(CONTEXT_MODES as string[]))
    .option('--window <n>', 'window: neighbouring chunks on each side (default 1)', parseCount)
    .option('--sentences', 'window: count neighbours in sentences, not chunks')
    .option('--context-tokens <n>', 'most tokens of one context (parent default 1000)', positive)
    .option('--compress [tokens]', 'keep only the sentences that bear on the query, within tokens for all results (default 1000)', positive)
    .addHelpText(
      'after',
      [
        '',
        'Each result shows its keyword, vector and fused scores (and its rerank score), so you can see why it ranked.',
        'Steps run in the order search → --rerank → --context → --compress; with --context, hits of the same document',
        'that touch are merged, so fewer than k may come back.',
        '',
        'Examples:',
        '  lore search "wing flutter at supersonic speed"',
        '  lore search "风力涡轮机的维护" -k 5 --json',
        '  lore search "pricing" --type pdf --where year=2023 --mode keyword',
        '  lore search "gearbox oil interval" --rerank mmr --context window --window 1',
        '  lore search "how often is the oil replaced" --context parent --compress 600',
      ].join('\n'),
    )
    .action(async (query: string, opts: SearchCliOptions, command: Command) => {
      await withStore(
        command,
        async (store, global) => {
          const started = performance.now();
          const embedder = opts.mode === 'keyword' ? undefined : await chooseEmbedder({ spec: opts.embedder, store, collection: opts.collection });
          const result = await retrieve({
            store,
            query,
            k: opts.k,
            mode: opts.mode,
            embedder,
            feedback: command.getOptionValueSource('expand') === 'cli' ? opts.expand : undefined,
            fusion: opts.vectorWeight === undefined ? undefined : { vectorWeight: opts.vectorWeight },
            filter: { collection: opts.collection, source: opts.source, type: opts.type, metadata: opts.where },
            rerank: opts.rerank,
            mmrLambda: opts.mmrLambda,
            candidates: opts.candidates,
            context: opts.context
              ? { mode: opts.context, window: opts.window, maxTokens: opts.contextTokens, ...(opts.sentences ? { unit: 'sentence' as const } : {}) }
              : undefined,
            compress: opts.compress === undefined ? undefined : { maxTokens: opts.compress === true ? undefined : opts.compress },
          });
          await embedder?.close?.();
          const tookMs = Math.round((performance.now() - started) * 10) / 10;
          if (global.json) printJson({ query, mode: result.mode, steps: result.steps, notes: result.notes, tookMs, hits: result.hits.map((h, i) => ({ rank: i + 1, ...h })) });
          else printHits(query, result.hits, tookMs, result.notes);
        },
        { readonly: true },
      );
    });
}

function printHits(query: string, hits: SearchHit[], tookMs: number, notes: string[]): void {
  for (const note of notes) process.stderr.write(`note: ${note}\n`);
  if (hits.length === 0) {
    process.stdout.write(`No results for "${query}". Try other words, or check \`lore collections\`.\n`);
    return;
  }
  const lines: string[] = [];
  hits.forEach((hit, i) => {
    const endPage = isContextHit(hit) && hit.endPage && hit.endPage !== hit.page ? `–${hit.endPage}` : '';
    const where = [
      hit.page ? `p. ${hit.page}${endPage}` : '',
      hit.headingPath.length ? hit.headingPath.join(' › ') : '',
      hit.metadata['row'] !== undefined ? `row ${hit.metadata['row']}` : '',
      hit.metadata['id'] !== undefined ? `id ${hit.metadata['id']}` : '',
    ]
      .filter(Boolean)
      .join(' · ');
    const s = hit.scores;
    const scores = [
      s.keyword !== undefined ? `keyword ${s.keyword.toFixed(2)}` : '',
      s.vector !== undefined ? `vector ${s.vector.toFixed(3)}` : '',
      s.fused !== undefined ? `fused ${s.fused.toFixed(3)}` : '',
      s.rerank !== undefined ? `rerank ${s.rerank.toFixed(3)}` : '',
    ]
      .filter(Boolean)
      .join(', ');
    lines.push(`${i + 1}. ${displayPath(hit.source)}${where ? ` (${where})` : ''}  [${hit.collection}] ${scores || `score ${hit.score.toFixed(2)}`}`);
    lines.push(`   ${oneLine(hit.text, 220)}`);
  });
  lines.push(`${hits.length} result(s) in ${tookMs} ms`);
  process.stdout.write(lines.join('\n') + '\n');
}
