import lunr from 'lunr';
import { readPackageVersion } from './package-version.js';
import type { KeywordPeer, PeerDocument, PeerHit } from './types.js';

/**
 * Lunr's query language gives `: ^ ~ + -` and `*` meanings (field, boost, fuzzy, presence, wildcard) and
 * throws on malformed uses such as a trailing `^`. A backslash escapes `: ^ ~ +` and itself, and the escaped
 * character stays in the term, just as Lunr's tokenizer keeps it inside a document word. `-` is Lunr's
 * word separator (tokenizer splits on /[\s-]+/), so a space is the faithful stand-in; `*` cannot be
 * escaped at all (wildcard detection runs after unescaping), so it becomes a space too.
 */
export function escapeLunrQuery(query: string): string {
  return query.replace(/[-*]/g, ' ').replace(/[\\:^~+]/g, (c) => `\\${c}`);
}

/**
 * Lunr 2 with its default pipelines on title and text: trimmer, English stop words and Porter stemmer at
 * index time, only the stemmer at search time (so a query word glued to punctuation, like `(supersonic)`,
 * does not match; that is Lunr's out-of-the-box behaviour and is kept).
 */
export function createLunrPeer(): KeywordPeer {
  let index: lunr.Index | undefined;
  return {
    name: 'lunr',
    version: readPackageVersion('lunr'),
    index(docs: PeerDocument[]): void {
      index = lunr(function () {
        this.ref('id');
        this.field('title');
        this.field('text');
        for (const doc of docs) this.add(doc);
      });
    },
    search(query: string, k: number): PeerHit[] {
      if (!index) throw new Error('lunr peer: index() first');
      const escaped = escapeLunrQuery(query);
      // Lunr answers a query without terms with every document at score 0; a blank query should find nothing.
      if (escaped.trim().length === 0) return [];
      return index
        .search(escaped)
        .slice(0, k)
        .map((r) => ({ id: r.ref, score: r.score }));
    },
  };
}
