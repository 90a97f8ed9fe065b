import type { SearchHit } from '../spec/store.js';
import { detectInjectionByRules } from './detect-injection.js';
import type { InjectionVerdict } from './guard-verdict.js';

export interface GuardHitsOptions {
  hits: SearchHit[];
  /**
   * `drop` (default): flagged passages never reach the prompt. `keep`: they stay (the prompt fences every
   * source as data anyway) and are only reported.
   */
  action?: 'drop' | 'keep';
  /** Flags that disqualify a passage (default: `instruction` and `hidden-text`). */
  flags?: readonly string[];
}

export interface GuardHitsResult {
  hits: SearchHit[];
  flagged: Array<{ hit: SearchHit; reasons: string[] }>;
}

const DEFAULT_FLAGS = ['instruction', 'hidden-text'];

/**
 * The guard for ingested chunks at answer time: a retrieved passage flagged at ingestion (metadata.guard),
 * or one the rules flag now (for collections ingested before the guard existed), is dropped before it can
 * speak to the model as a source.
 */
export function guardHits(options: GuardHitsOptions): GuardHitsResult {
  const disqualifying = new Set(options.flags ?? DEFAULT_FLAGS);
  const kept: SearchHit[] = [];
  const flagged: GuardHitsResult['flagged'] = [];
  for (const hit of options.hits) {
    const stored = Array.isArray(hit.metadata?.['guard']) ? (hit.metadata['guard'] as unknown[]).map(String) : [];
    const reasons = stored.filter((f) => disqualifying.has(f)).map((f) => `flagged at ingestion: ${f}`);
    let verdict: InjectionVerdict | undefined;
    if (reasons.length === 0 && disqualifying.has('instruction')) {
      verdict = detectInjectionByRules({ text: hit.text });
      if (verdict.flagged) reasons.push(...verdict.reasons.slice(0, 3));
    }
    if (reasons.length > 0) {
      flagged.push({ hit, reasons });
      if ((options.action ?? 'drop') === 'drop') continue;
    }
    kept.push(hit);
  }
  return { hits: kept, flagged };
}
