/** Turns texts into vectors. Implementations: the bundled USE-lite model; remote and GGUF ones later. */
export interface EmbeddingModel {
  /** Stable id, part of the embedding cache key: change it when the vectors would change. */
  readonly id: string;
  readonly dimensions: number;
  /**
   * BCP 47 language codes the model represents well (e.g. ["en"]); empty means any. Retrieval uses this to
   * let keyword search carry queries and passages in other languages instead of fusing in noise.
   */
  readonly languages: readonly string[];
  /** Unit-length vectors, one per text, in order. */
  embed(texts: string[], options?: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void }): Promise<Float32Array[]>;
  /** Frees threads and memory; the model can be used again afterwards (it reloads lazily). */
  close?(): Promise<void>;
}
