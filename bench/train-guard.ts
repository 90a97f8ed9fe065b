/**
 * Trains the guard's classifier layer: logistic regression over the bundled USE-lite embeddings of the
 * 1,598 prompts in ../shared/datasets/jailbreak-classification/train.csv, and writes the weights to
 * src/guard/injection-classifier-weights.json (shipped with Lore). Deterministic: the same data gives the
 * same file. Embedding takes a minute or two on two cores the first time; the vectors are cached in tmp/.
 *
 * Run: `npm run build && node --import tsx bench/train-guard.ts`
 */
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createUseLiteEmbedder } from '../src/models/embedders/index.js';
import { predictLogistic, trainLogistic } from '../src/guard/logistic-regression.js';
import { classifierFeatures, type ClassifierWeights } from '../src/guard/injection-classifier.js';
import { assignFolds, embedCached, readTrainSet, ROOT, TRAIN_CSV } from './guard-data.js';

/** Chosen by 5-fold cross-validation (0.01, 0.1 and 1 tried; 0.1 had the best F1). */
const GUARD_L2 = 0.1;
/** The operating point is the lowest threshold whose cross-validated false-positive rate is at most this. */
const TARGET_FPR = 0.01;

const set = readTrainSet();
console.error(`${set.prompts.length} prompts, ${set.labels.filter((l) => l === 1).length} jailbreaks`);
const vectors = await embedCached({ texts: set.prompts, name: 'guard-train' });
const features = vectors.map((vector, i) => classifierFeatures({ vector, text: set.prompts[i]! }));

// Out-of-fold probabilities pick the operating point: chosen on data the model did not see, so the false
// positive rate it promises is the one new text will get.
const folds = assignFolds({ n: features.length, k: 5 });
const outOfFold = new Array<number>(features.length).fill(0);
for (let fold = 0; fold < 5; fold++) {
  const train = features.flatMap((_, i) => (folds[i] === fold ? [] : [i]));
  const model = trainLogistic({ features: train.map((i) => features[i]!), labels: train.map((i) => set.labels[i]!), l2: GUARD_L2 });
  features.forEach((f, i) => {
    if (folds[i] === fold) outOfFold[i] = predictLogistic({ model, features: f });
  });
}
const negatives = outOfFold.filter((_, i) => set.labels[i] === 0).sort((a, b) => b - a);
// The smallest threshold above all but TARGET_FPR of the negatives' scores.
const allowed = Math.floor(negatives.length * TARGET_FPR);
const threshold = Number(Math.max(0.5, (negatives[allowed] ?? 0.5) + 1e-6).toPrecision(4));
console.error(`operating point ${threshold} (cross-validated FPR ≤ ${TARGET_FPR * 100}%)`);

const started = performance.now();
const model = trainLogistic({ features, labels: set.labels, l2: GUARD_L2 });
console.error(`trained in ${((performance.now() - started) / 1000).toFixed(1)} s`);

const embedder = createUseLiteEmbedder({ workers: 0 });
// Six significant digits: the file stays small and predictions move by less than 1e-5.
const weights: ClassifierWeights = {
  version: 1,
  embedder: embedder.id,
  dimensions: embedder.dimensions,
  bias: Number(model.bias.toPrecision(6)),
  weights: Array.from(model.weights, (w) => Number(w.toPrecision(6))),
  l2: GUARD_L2,
  threshold,
  trainedOn: {
    file: relative(join(ROOT, '..'), TRAIN_CSV).replaceAll('\\', '/'),
    sha256: set.sha256,
    rows: set.prompts.length,
    positives: set.labels.filter((l) => l === 1).length,
  },
};
await embedder.close();
const out = join(ROOT, 'src', 'guard', 'injection-classifier-weights.json');
writeFileSync(out, JSON.stringify(weights) + '\n');
console.error(`wrote ${relative(ROOT, out)}`);
