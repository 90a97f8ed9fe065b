import { analyze } from '../../text/analyze.js';
import { normalizeText } from '../../text/normalize.js';
import { termCoverage } from '../rag/context-match.js';
import { generationLanguage, type Candidate } from './candidate.js';

/** Reference terms the source passages must hold: a reference the passages do not state is not answerable from them. */
export const MIN_SOURCE_COVERAGE = 0.6;
/** Questions whose term sets overlap this much (Jaccard) are near-duplicates: the later one is dropped. */
export const DUPLICATE_JACCARD = 0.7;

const LIMITS = {
  en: { question: [4, 60], reference: [2, 150], unit: 'words' },
  zh: { question: [6, 150], reference: [2, 400], unit: 'characters' },
} as const;

/** Length as people count it: words in English, characters (white space aside) in Chinese. */
function length(text: string, language: Candidate['language']): number {
  return language === 'zh' ? text.replace(/\s+/g, '').length : text.split(/\s+/).filter(Boolean).length;
}

/**
 * Why a candidate is rejected, or undefined when it passes: the question is in the passages' language,
 * neither trivially short nor long, is a question, does not contain its own answer (paraphrased and
 * multi-chunk questions), and the reference is stated by the source passages (most of its terms are in them).
 */
export function rejectReason(c: Candidate): string | undefined {
  const question = c.question.trim();
  const reference = c.reference.trim();
  if (!question || !reference) return 'empty question or reference';
  if (generationLanguage(question) !== c.language) return `question not in the passages' language (${c.language})`;
  const limits = LIMITS[c.language];
  const q = length(question, c.language);
  if (q < limits.question[0]) return `question too short (${q} ${limits.unit})`;
  if (q > limits.question[1]) return `question too long (${q} ${limits.unit})`;
  const r = length(reference, c.language);
  if (r < limits.reference[0]) return `reference too short (${r} ${limits.unit})`;
  if (r > limits.reference[1]) return `reference too long (${r} ${limits.unit})`;
  if (!/[?？]$/.test(question)) return 'not a question';
  const compactQ = normalizeText(question).replace(/[\s?？]+/g, '');
  const compactR = normalizeText(reference).replace(/[\s。.!！]+/g, '');
  if (c.type !== 'factual' && compactR.length > 0 && compactQ.includes(compactR)) return 'the question contains its answer';
  const coverage = termCoverage({ of: reference, in: c.sources.map((s) => s.text).join('\n') });
  if (coverage < MIN_SOURCE_COVERAGE) return `the sources state only ${Math.round(coverage * 100)}% of the reference`;
  return undefined;
}

/** Term set of a question for near-duplicate detection. */
export function questionKey(question: string): Set<string> {
  return new Set(analyze(question));
}

export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let common = 0;
  for (const t of a) if (b.has(t)) common++;
  return common / (a.size + b.size - common);
}

/** Keeps questions that are not near-duplicates of one already kept. */
export class DuplicateFilter {
  private readonly kept: Array<Set<string>> = [];
  dropped = 0;
  /** True (and remembered) when the question is new. */
  accept(question: string): boolean {
    const key = questionKey(question);
    if (this.kept.some((k) => jaccard(k, key) >= DUPLICATE_JACCARD)) {
      this.dropped++;
      return false;
    }
    this.kept.push(key);
    return true;
  }
}
