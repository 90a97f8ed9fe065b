/** All vectors of one collection for one embedder, row-major, with chunk ids in ascending order. */
export interface VectorMatrix {
  ids: Int32Array;
  data: Float32Array;
  dimensions: number;
  version: number;
}

export function vectorToBlob(vector: Float32Array | null): Buffer {
  return vector ? Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength) : Buffer.alloc(0);
}

export function blobToVector(blob: Buffer): Float32Array | null {
  if (blob.byteLength === 0) return null;
  // Copy: the blob's memory belongs to SQLite's row and may not be 4-byte aligned.
  const copy = new Float32Array(blob.byteLength / 4);
  new Uint8Array(copy.buffer).set(blob);
  return copy;
}

export function buildMatrix(rows: Array<{ chunk_id: number; vector: Buffer }>, version: number): VectorMatrix {
  const usable = rows.filter((r) => r.vector.byteLength > 0);
  const dimensions = usable.length > 0 ? usable[0]!.vector.byteLength / 4 : 0;
  const ids = new Int32Array(usable.length);
  const data = new Float32Array(usable.length * dimensions);
  const bytes = new Uint8Array(data.buffer);
  usable.forEach((r, i) => {
    ids[i] = r.chunk_id;
    if (r.vector.byteLength === dimensions * 4) bytes.set(r.vector, i * dimensions * 4);
  });
  return { ids, data, dimensions, version };
}

/**
 * Exact top-k by dot product (cosine, since vectors are unit length) over the rows the mask allows
 * (all when absent). One pass, a small sorted buffer for the best k: no allocation per row.
 */
export function topK(options: { matrix: VectorMatrix; query: Float32Array; k: number; mask?: Uint8Array }): Array<{ id: number; score: number }> {
  const { matrix, query, k, mask } = options;
  const { data, ids, dimensions: d } = matrix;
  if (k <= 0 || d === 0 || query.length !== d) return [];
  const bestScores: number[] = [];
  const bestRows: number[] = [];
  for (let row = 0, offset = 0; row < ids.length; row++, offset += d) {
    if (mask && mask[row] === 0) continue;
    let s = 0;
    for (let j = 0; j < d; j++) s += data[offset + j]! * query[j]!;
    if (bestScores.length === k && s <= bestScores[k - 1]!) continue;
    let i = bestScores.length < k ? bestScores.length : k - 1;
    while (i > 0 && bestScores[i - 1]! < s) i--;
    bestScores.splice(i, 0, s);
    bestRows.splice(i, 0, row);
    if (bestScores.length > k) {
      bestScores.pop();
      bestRows.pop();
    }
  }
  return bestRows.map((row, i) => ({ id: ids[row]!, score: bestScores[i]! }));
}

/** Row index of a chunk id (ids ascending), or -1. */
export function rowOf(matrix: VectorMatrix, id: number): number {
  let lo = 0;
  let hi = matrix.ids.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = matrix.ids[mid]!;
    if (v === id) return mid;
    if (v < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
