/**
 * The answer to a question, as both answer paths produce it: the extractive one (sentences quoted from the
 * retrieved chunks, no language model) and the generative one (a model writes the text from the same
 * chunks). Either way `text` carries citation markers `[1]`, `[2]`… that refer to `citations[n - 1]`.
 */

import type { Verification } from './verification.js';

export type AnswerMode = 'extractive' | 'generative';

/** A place in a source document that the answer relies on, with the exact text quoted. */
export interface Citation {
  /** The marker number in `Answer.text`: extractive, from 1 in order of first appearance; generative, the source number in the prompt. */
  n: number;
  /** The document's source: an absolute file path or a URL. */
  source: string;
  title: string | null;
  /** 1-based page of the chunk, for paged formats. */
  page: number | null;
  /** Markdown headings above the quoted text, outermost first. */
  headingPath: string[];
  /** The exact source text cited: `documentText.slice(start, end) === quote`. */
  quote: string;
  /** Offsets (UTF-16 code units) into the loaded document's text: the chunk's start plus the span's offset in it. */
  start: number;
  end: number;
  chunkId: number;
  documentId: number;
  collection: string;
  /**
   * How well the quote answers the question. Extractive: the best sentence score of the span (question-term
   * overlap weighted by IDF, plus the retrieval-rank bonus). Generative: the retrieval score of the chunk.
   */
  score: number;
}

/** One sentence (or run of adjacent sentences) of an extractive answer, in answer order. */
export interface AnswerSentence {
  /** The sentence as shown in the answer (white space collapsed), without its marker. */
  text: string;
  /** The citation it is quoted from. */
  citation: number;
  score: number;
  /** Offsets into the source document's text, like `Citation.start` / `end`. */
  start: number;
  end: number;
}

export interface Answer {
  question: string;
  mode: AnswerMode;
  /** The answer text with citation markers [1] [2]. */
  text: string;
  /** Extractive answers: the quoted sentences, in the order the text gives them. */
  sentences?: AnswerSentence[];
  citations: Citation[];
  /** What kind of answer this is and how to get a better one, for people. */
  note?: string;
  /** Generative answers: the model that wrote the text, e.g. `ollama:qwen2.5:7b`. */
  model?: string;
  /** Generative answers: tokens spent (`estimated` when the provider did not report them). */
  usage?: { inputTokens: number; outputTokens: number; estimated?: boolean };
  /** Generative answers: what the call cost, and on what basis (price table, or time for a local model). */
  cost?: { basis: 'price-table' | 'local-time' | 'unpriced'; usd: number | null; seconds: number; note: string };
  /** Whether each sentence is supported by the retrieved passages and by those it cites (`verifyAnswer`), when checked. */
  verification?: Verification;
}

/** Removes the citation markers from an answer text: what a reader's eye or a string match sees. */
export function stripCitationMarkers(text: string): string {
  return text.replace(/ ?\[\d+\]/g, '');
}

/** Chinese, Japanese and full-width characters: text in these scripts runs on without spaces. */
export const WIDE_CHAR = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3000-\u303f\uff00-\uffef]/u;

/**
 * A quote's white space collapsed for reading on one line: a line break between Chinese characters
 * disappears (it only wrapped the line), any other run of white space becomes one space.
 */
export function readableText(text: string): string {
  return text
    .replace(/\s+/g, (space: string, offset: number, whole: string) =>
      WIDE_CHAR.test(whole.charAt(offset - 1)) && WIDE_CHAR.test(whole.charAt(offset + space.length)) ? '' : ' ',
    )
    .trim();
}
