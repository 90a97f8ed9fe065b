import type { Command } from 'commander';
import { keywordSearch } from '../../retrieve/keyword-search.js';
import type { SearchHit } from '../../spec/store.js';
import { LoreError } from '../../spec/errors.js';
import { displayPath, oneLine } from '../format.js';
import type { CommandContext } from '../main.js';
import { collectWhere, parseCount } from './parse-options.js';
import { printJson, withStore } from './open-store.js';

interface SearchCliOptions {
  k: number;
  collection?: string;
  source?: string;
  type?: string;
  where?: Record<string, string | number | boolean>;
  mode: string;
  expand?: boolean;
}

export function registerSearch(program: Command, _context: CommandContext): void {
  program
    .command('search')
    .description('search the ingested documents (BM25 keyword search; English and Chinese)')
    .argument('<query>', 'what to look for')
    .option('-k, --k <n>', 'number of results', parseCount, 10)
    .option('-c, --collection <name>', 'only this collection')
    .option('--source <glob>', 'only documents whose path matches this glob, e.g. "**/reports/*.pdf"')
    .option('--type <type>', 'only this document type: pdf, docx, html, markdown, csv, json, jsonl, text, code')
    .option('--where <key=value>', 'only chunks whose metadata field equals the value (repeatable)', collectWhere)
    .option('--mode <mode>', 'retrieval mode (keyword is the one available now)', 'keyword')
    .option('--expand', 'expand the query with terms from its best results (pseudo-relevance feedback): finds passages worded differently')
    .addHelpText('after', '\nExamples:\n  lore search "wing flutter at supersonic speed"\n  lore search "风力涡轮机的维护" -k 5 --json\n  lore search "pricing" --type pdf --where year=2023')
    .action(async (query: string, opts: SearchCliOptions, command: Command) => {
      if (opts.mode !== 'keyword') {
        throw new LoreError({ code: 'INVALID_ARGUMENT', message: `--mode ${opts.mode} is not available yet`, hint: 'use --mode keyword' });
      }
      await withStore(
        command,
        (store, global) => {
          const started = performance.now();
          const hits = keywordSearch({
            store,
            query,
            k: opts.k,
            feedback: opts.expand ?? false,
            filter: { collection: opts.collection, source: opts.source, type: opts.type, metadata: opts.where },
          });
          const tookMs = Math.round((performance.now() - started) * 10) / 10;
          if (global.json) printJson({ query, mode: opts.mode, expand: opts.expand ?? false, tookMs, hits: hits.map(toJsonHit) });
          else printHits(query, hits, tookMs);
        },
        { readonly: true },
      );
    });
}

function toJsonHit(hit: SearchHit, index: number) {
  return { rank: index + 1, ...hit };
}

function printHits(query: string, hits: SearchHit[], tookMs: number): void {
  if (hits.length === 0) {
    process.stdout.write(`No results for "${query}". Try other words, or check \`lore collections\`.\n`);
    return;
  }
  const lines: string[] = [];
  hits.forEach((hit, i) => {
    const where = [hit.page ? `p. ${hit.page}` : '', hit.headingPath.length ? hit.headingPath.join(' › ') : '', hit.metadata['row'] !== undefined ? `row ${hit.metadata['row']}` : '', hit.metadata['id'] !== undefined ? `id ${hit.metadata['id']}` : '']
      .filter(Boolean)
      .join(' · ');
    lines.push(`${i + 1}. ${displayPath(hit.source)}${where ? ` (${where})` : ''}  [${hit.collection}] score ${hit.score.toFixed(2)}`);
    lines.push(`   ${oneLine(hit.text, 220)}`);
  });
  lines.push(`${hits.length} result(s) in ${tookMs} ms`);
  process.stdout.write(lines.join('\n') + '\n');
}
