import type { EmbeddingModel } from '../spec/models.js';
import { supportsText } from '../text/language.js';
import { predictLogistic, sigmoid } from './logistic-regression.js';
import defaultWeights from './injection-classifier-weights.json' with { type: 'json' };

/**
 * The classifier layer: logistic regression over the bundled USE-lite sentence embedding of a text. Rules
 * catch the phrasings someone wrote down; the classifier catches the ones nobody did — long role-play
 * jailbreaks that never say "ignore your instructions" but read like every other DAN prompt. Trained on
 * ../shared/datasets/jailbreak-classification/train.csv by `bench/train-guard.ts`, which writes
 * injection-classifier-weights.json; run it again to reproduce or retrain the weights.
 *
 * USE-lite knows English only: a Chinese text gets no classifier score (its vector would be noise), and the
 * rules, which carry Chinese patterns, decide alone.
 */
export interface ClassifierWeights {
  version: 1;
  /** Id of the embedder the weights were trained on; another embedder's vectors mean something else. */
  embedder: string;
  dimensions: number;
  bias: number;
  weights: number[];
  /** L2 penalty used in training. */
  l2: number;
  /**
   * The operating point: the raw probability at which the classifier calls a text an attack, chosen by
   * cross-validation on the training set (the lowest threshold whose false-positive rate is at most 1%).
   * `score` reports probabilities shifted so that this point reads as 0.5, which is what the fusion expects.
   */
  threshold: number;
  /** What the weights were trained on, so a reader can tell which data and which version. */
  trainedOn: { file: string; sha256: string; rows: number; positives: number };
}

/**
 * What the regression reads: the sentence embedding plus the log of the word count. Jailbreak templates are
 * long and ordinary questions short; without the length the embedding alone rated short programming
 * questions ("how do I make git ignore a folder") as 50–70% jailbreak, because their vocabulary overlaps.
 */
export function classifierFeatures(options: { vector: ArrayLike<number>; text: string }): Float64Array {
  const { vector, text } = options;
  const out = new Float64Array(vector.length + 1);
  for (let i = 0; i < vector.length; i++) out[i] = vector[i]!;
  out[vector.length] = Math.log1p(countWords(text)) / 3;
  return out;
}

function countWords(text: string): number {
  let n = 0;
  for (const _ of text.matchAll(/\S+/g)) n++;
  return n;
}

const logit = (p: number) => Math.log(Math.max(p, 1e-12) / Math.max(1 - p, 1e-12));

export const DEFAULT_CLASSIFIER_WEIGHTS = defaultWeights as ClassifierWeights;

export interface InjectionClassifier {
  readonly embedder: EmbeddingModel;
  /**
   * Probability of an attack for each text; `null` where the embedder cannot represent the text's language.
   * `vectors`, when given, are the texts' embeddings already computed (a benchmark embeds once).
   */
  score(options: { texts: string[]; vectors?: Float32Array[]; signal?: AbortSignal }): Promise<Array<number | null>>;
}

export function createInjectionClassifier(options: { embedder: EmbeddingModel; weights?: ClassifierWeights }): InjectionClassifier {
  const weights = options.weights ?? DEFAULT_CLASSIFIER_WEIGHTS;
  const model = { weights: Float64Array.from(weights.weights), bias: weights.bias };
  const embedder = options.embedder;
  return {
    embedder,
    async score({ texts, vectors, signal }) {
      const out: Array<number | null> = texts.map(() => null);
      const wanted: number[] = [];
      texts.forEach((text, i) => {
        if (text.trim() !== '' && supportsText(embedder.languages, text)) wanted.push(i);
      });
      if (wanted.length === 0) return out;
      const embedded = vectors ? wanted.map((i) => vectors[i]!) : await embedder.embed(wanted.map((i) => texts[i]!), { signal });
      const shift = logit(weights.threshold);
      wanted.forEach((textIndex, k) => {
        const p = predictLogistic({ model, features: classifierFeatures({ vector: embedded[k]!, text: texts[textIndex]! }) });
        out[textIndex] = sigmoid(logit(p) - shift);
      });
      return out;
    },
  };
}
