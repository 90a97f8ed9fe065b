/**
 * The report of a citation check (`verifyAnswer`): for each sentence of an answer, whether a retrieved
 * passage supports it, which one, where exactly in its document, and whether the sentence cites it.
 * Kept apart from the checker so that `Answer` can carry it without importing the checker.
 */

import type { Usage } from '../spec/models.js';

/**
 * - `supported`: a passage states what the sentence says (numbers included).
 * - `contradicted`: a passage says nearly the same but with other numbers ("every 18 months" where the
 *   sentence says "every 24 months"), or the judge model found that a passage contradicts it.
 * - `unsupported`: no passage states it.
 * - `no-claim`: the sentence asserts nothing to check ("Here is what the manual says:", "I hope this helps.").
 */
export type VerificationVerdict = 'supported' | 'unsupported' | 'contradicted' | 'no-claim';

/**
 * How the verdict was reached: overlap of analysed terms and numbers (`lexical`); that and an embedder's
 * similarity (`embedding`: an embedder was given and represents the sentence's language); or a language
 * model's judgement (`judge`).
 */
export type VerificationMethod = 'lexical' | 'embedding' | 'judge';

/** A passage of a retrieved chunk: the sentence (or two adjacent sentences) that best matches a claim. */
export interface SupportPassage {
  /**
   * The marker that cites this passage's chunk: the sentence's own marker where it cites the chunk, else
   * another marker of the answer that does; for an uncited chunk of a generative answer, its source number
   * in the prompt (the position in `hits`, from 1). `null` when the answer gives the chunk no number
   * (extractive answers number only the chunks they quote).
   */
  n: number | null;
  source: string;
  title: string | null;
  page: number | null;
  headingPath: string[];
  chunkId: number;
  documentId: number;
  /** The passage: `documentText.slice(quoteStart, quoteEnd) === quote`. */
  quote: string;
  /** Offsets (UTF-16 code units) into the loaded document's text, like `Citation.start` / `end`. */
  quoteStart: number;
  quoteEnd: number;
  /**
   * How well the passage covers the sentence, 0 to 1, against the `threshold` of `verifyAnswer`: the
   * IDF-weighted share of the sentence's content terms it contains (terms only its chunk's headings or the
   * rest of its chunk contain count partly), halved when it lacks a number the sentence states. With an
   * embedder, the mean of that and the embedding similarity where that is higher, less the difference of
   * the two thresholds. Judge verdicts keep this score of the passage the judge named.
   */
  score: number;
}

export interface VerifiedSentence {
  /** Position of the sentence in the answer, from 0. */
  index: number;
  /** The sentence as shown, without its citation markers. */
  sentence: string;
  /** Offsets into `Answer.text` of the sentence, its own markers included. */
  start: number;
  end: number;
  /**
   * The markers the sentence carries; a sentence without one takes those of the next sentence of its
   * paragraph that has one ("A. B. [1]": [1] cites both, as extractive answers write it).
   */
  cited: number[];
  verdict: VerificationVerdict;
  /** `verdict === 'supported'`. */
  supported: boolean;
  method: VerificationMethod;
  /** Passages that support the sentence, best first, those of the cited chunks before others (at most 3). */
  support: SupportPassage[];
  /**
   * The passage that came closest, for a sentence no passage supports: what the sources do say
   * (e.g. "every 18 months" for a sentence that says "every 24 months").
   */
  closest?: SupportPassage;
  /** Supported, but not by any chunk the sentence cites: another retrieved chunk states it. */
  miscited: boolean;
  /** A claim that carries no marker (and no later sentence of its paragraph does). */
  uncited: boolean;
  /** Numbers the sentence states that the closest passage does not. */
  missingNumbers?: string[];
  /** Why, where it is not obvious: a marker that cites no source, a judge verdict that could not be used… */
  note?: string;
}

export type FlagReason = 'unsupported' | 'contradicted' | 'miscited' | 'uncited';

export interface Verification {
  sentences: VerifiedSentence[];
  /** Sentences that make a claim (all but `no-claim`). */
  claims: number;
  /** Claims some retrieved passage supports (miscited ones included). */
  supported: number;
  /** `supported / claims`; 1 when there is no claim. */
  supportRate: number;
  /** Sentences a reader should check, in answer order. */
  flagged: Array<{ index: number; sentence: string; reason: FlagReason }>;
  /** The strongest method that decided any sentence. */
  method: VerificationMethod;
  /** The judge model, when one gave verdicts. */
  judge?: { model: string; usage?: Usage };
  /** What the check could not do and what it did instead (e.g. the judge failed: lexical check used). */
  notes: string[];
}
