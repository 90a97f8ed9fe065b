import { createFts5Peer, quoteFts5 } from './fts5.js';
import type { KeywordPeer } from './types.js';

const GRAM = 3;

/**
 * Every 3-character window of the query's white-space separated chunks, quoted and OR-ed. The trigram
 * tokenizer indexes every 3-character sequence, so a quoted 3-character string matches exactly one
 * indexed token; chunks shorter than 3 characters can never match and are skipped. Windows count code
 * points, not UTF-16 units, so astral characters are not split. Lower-cased and de-duplicated because the
 * tokenizer is case-insensitive by default and a repeated phrase would be counted twice by bm25().
 */
export function toTrigramQuery(query: string): string {
  const grams = new Set<string>();
  for (const chunk of query.toLowerCase().split(/\s+/)) {
    const chars = [...chunk];
    for (let i = 0; i + GRAM <= chars.length; i++) grams.add(chars.slice(i, i + GRAM).join(''));
  }
  return [...grams].map(quoteFts5).join(' OR ');
}

/** SQLite FTS5 with the `trigram` tokenizer: substring matching, which works for Chinese without a segmenter. */
export function createFts5TrigramPeer(): KeywordPeer {
  return createFts5Peer({ name: 'fts5-trigram', tokenize: 'trigram', toMatch: toTrigramQuery });
}
