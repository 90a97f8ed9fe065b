/** Dot product; for unit-length vectors, their cosine similarity. */
export function dot(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new RangeError(`vectors differ in length (${a.length} and ${b.length})`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

export interface TopKOptions {
  /** Unit-length query vector of d dimensions. */
  query: Float32Array;
  /** n unit-length vectors of d dimensions, row after row. */
  vectors: Float32Array;
  /** The id of each row. */
  ids: Int32Array | readonly number[];
  k: number;
}

export interface TopKResult {
  /** Best first; ties keep row order. */
  ids: number[];
  scores: number[];
}

/**
 * Exact nearest neighbours by cosine over unit vectors: one pass over one Float32Array with four partial
 * sums per row, so the loop is not bound by one chain of dependent additions (55 → 30 ms on 100k × 512),
 * and a k-sized min-heap, so a row that cannot enter the top k costs one comparison (k = 10 and k = 100
 * cost the same). Measured 30–40 ms per query over 100k × 512 on one core (measure-throughput.ts); only
 * reading the same floats takes 13 ms, and JavaScript has no SIMD to close the rest of the gap.
 */
export function topKByCosine({ query, vectors, ids, k }: TopKOptions): TopKResult {
  const d = query.length;
  if (d === 0) throw new RangeError('query vector is empty');
  if (vectors.length % d !== 0) throw new RangeError(`vectors (${vectors.length} floats) is not a whole number of ${d}-d rows`);
  const n = vectors.length / d;
  if (ids.length !== n) throw new RangeError(`${ids.length} ids for ${n} vectors`);
  const size = Math.max(0, Math.min(Math.floor(k), n));
  if (size === 0) return { ids: [], scores: [] };

  // A min-heap of the best rows so far: heapScore[0] is the score a row must beat.
  const heapScore = new Float64Array(size);
  const heapRow = new Int32Array(size);
  let filled = 0;
  const tail = d - (d % 4);

  for (let row = 0, base = 0; row < n; row++, base += d) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let i = 0; i < tail; i += 4) {
      s0 += query[i]! * vectors[base + i]!;
      s1 += query[i + 1]! * vectors[base + i + 1]!;
      s2 += query[i + 2]! * vectors[base + i + 2]!;
      s3 += query[i + 3]! * vectors[base + i + 3]!;
    }
    for (let i = tail; i < d; i++) s0 += query[i]! * vectors[base + i]!;
    const score = s0 + s1 + (s2 + s3);

    if (filled < size) {
      // Sift up.
      let at = filled++;
      while (at > 0) {
        const parent = (at - 1) >> 1;
        if (!worse(score, row, heapScore[parent]!, heapRow[parent]!)) break;
        heapScore[at] = heapScore[parent]!;
        heapRow[at] = heapRow[parent]!;
        at = parent;
      }
      heapScore[at] = score;
      heapRow[at] = row;
    } else if (score > heapScore[0]!) {
      // Replace the weakest and sift down. (An equal score never displaces an earlier row.)
      let at = 0;
      for (;;) {
        const left = 2 * at + 1;
        if (left >= size) break;
        const right = left + 1;
        let child = left;
        if (right < size && worse(heapScore[right]!, heapRow[right]!, heapScore[left]!, heapRow[left]!)) child = right;
        if (!worse(heapScore[child]!, heapRow[child]!, score, row)) break;
        heapScore[at] = heapScore[child]!;
        heapRow[at] = heapRow[child]!;
        at = child;
      }
      heapScore[at] = score;
      heapRow[at] = row;
    }
  }

  const order = Array.from({ length: filled }, (_, i) => i).sort(
    (a, b) => heapScore[b]! - heapScore[a]! || heapRow[a]! - heapRow[b]!,
  );
  return {
    ids: order.map((i) => Number(ids[heapRow[i]!])),
    scores: order.map((i) => heapScore[i]!),
  };
}

/** Heap order: a lower score is worse; at equal scores the later row is worse, so earlier rows win ties. */
function worse(scoreA: number, rowA: number, scoreB: number, rowB: number): boolean {
  return scoreA < scoreB || (scoreA === scoreB && rowA > rowB);
}
