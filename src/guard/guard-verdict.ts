/** What every guard check answers: data, never an exception (an attack is an expected outcome, not an error). */
export interface GuardVerdict {
  flagged: boolean;
  /** 0–1: how sure the guard is that the text is an attack. */
  score: number;
  /** Why, one line each, most important first; empty when nothing was found. */
  reasons: string[];
}

/** The per-layer scores behind a verdict, for people tuning thresholds and for benchmarks. */
export interface DetectorLayers {
  /** Rules and normalisation findings combined (0 when nothing matched). */
  rules: number;
  /** The classifier's probability; null when it did not run (no classifier, or a language it cannot read). */
  classifier: number | null;
  /** The LLM judge's probability; null when it was not asked. */
  judge: number | null;
}

export interface InjectionVerdict extends GuardVerdict {
  layers: DetectorLayers;
}
