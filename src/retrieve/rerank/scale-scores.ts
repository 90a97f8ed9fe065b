/** Scales values to 0–1 by the candidates' own range (all equal: all 1), so scores of different kinds can be mixed. */
export function minMax(values: number[]): number[] {
  const min = Math.min(...values);
  const max = Math.max(...values);
  return values.map((v) => (max > min ? (v - min) / (max - min) : 1));
}

/**
 * Retrieval scores as a relevance in 0–1: divided by the best, as fusion does, so the weakest candidate
 * keeps the relevance it has instead of dropping to 0 (min–max would make the last of three hits worthless).
 * Min–max only when some are negative (raw cosines).
 */
export function relevanceScale(scores: number[]): number[] {
  const max = Math.max(...scores);
  if (Math.min(...scores) < 0 || max <= 0) return minMax(scores);
  return scores.map((s) => s / max);
}
