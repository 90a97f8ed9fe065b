import { detectScript } from '../../text/language.js';

export const QUESTION_TYPES = ['factual', 'multi-chunk', 'paraphrased'] as const;
/**
 * - `factual`: asks for a fact one passage states (a number, what something is, a missing word).
 * - `multi-chunk`: needs two related passages (neighbours in a document, or passages sharing rare terms).
 * - `paraphrased`: asks about a passage without quoting it (its key terms, other wording).
 */
export type QuestionType = (typeof QUESTION_TYPES)[number];

export type GenerationLanguage = 'en' | 'zh';

/** A stored chunk as the generator reads it. */
export interface GenerationChunk {
  chunkId: number;
  documentId: number;
  ordinal: number;
  source: string;
  title: string | null;
  headingPath: string[];
  text: string;
  /** A CSV row or JSON record (`row` / `record` in the metadata) is a unit of its own, unrelated to its neighbours. */
  metadata?: Record<string, unknown>;
}

/** A generated question with its reference answer and the passages both come from. */
export interface Candidate {
  type: QuestionType;
  language: GenerationLanguage;
  question: string;
  reference: string;
  sources: GenerationChunk[];
}

/** Chinese for text written mostly in Han characters; English for Latin script; undefined otherwise. */
export function generationLanguage(text: string): GenerationLanguage | undefined {
  const script = detectScript(text);
  return script === 'zh' ? 'zh' : script === 'latin' ? 'en' : undefined;
}

/** A seeded PRNG (mulberry32): the same seed gives the same test set. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
