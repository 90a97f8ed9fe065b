import { askJudge, verdictsSchema, verdictTokens, type Judge } from './judge.js';
import { precisionPrompt, type JudgeLanguage } from './judge-prompts.js';
import { failed, scored, skipped, type MetricResult } from './metric-result.js';
import { isSourceContext, termCoverage, type RetrievedContext } from './context-match.js';
import type { SourceContext } from './test-set.js';

/**
 * Context precision (Ragas' definition): are the useful passages ranked first? With v_k = 1 when the
 * passage at rank k is useful, the mean of precision@k over the useful ranks:
 * `Σ_k (precision@k · v_k) / Σ_k v_k`; 0 when no passage is useful.
 * [yes, no, yes] → (1/1 + 2/3) / 2 = 0.8333.
 */
export function contextPrecisionFromVerdicts(useful: readonly boolean[]): number {
  let hits = 0;
  let sum = 0;
  useful.forEach((u, i) => {
    if (!u) return;
    hits++;
    sum += hits / (i + 1);
  });
  return hits === 0 ? 0 : sum / hits;
}

/** The judge decides, passage by passage, whether it is useful for the reference answer (else for the answer). */
export async function judgeContextPrecision(judge: Judge, o: { question: string; reference?: string; answer: string; contexts: string[]; language: JudgeLanguage }): Promise<MetricResult> {
  if (o.contexts.length === 0) return skipped('nothing retrieved', 'judge');
  const target = o.reference ?? o.answer;
  if (!target.trim()) return skipped('no reference and no answer to judge the passages against', 'judge');
  const reply = await askJudge(judge, {
    schema: verdictsSchema(o.contexts.length),
    messages: precisionPrompt({ question: o.question, target, targetIsReference: o.reference !== undefined, contexts: o.contexts, language: o.language }),
    name: 'context_precision',
    maxTokens: verdictTokens(o.contexts.length),
  });
  if (!reply.ok) return failed(reply.reason, 'judge');
  const useful = reply.value.verdicts.map((v) => v === 'yes');
  return scored(contextPrecisionFromVerdicts(useful), 'judge', { verdicts: reply.value.verdicts, against: o.reference !== undefined ? 'reference' : 'answer' });
}

/** Share of the reference's terms a passage must hold to count as useful without a judge. */
const USEFUL_COVERAGE = 0.5;

/**
 * Without a judge: a passage is useful when it is one of the item's source passages, or, for an item
 * without them, when it holds at least half of the reference answer's terms.
 */
export function lexicalContextPrecision(o: { reference?: string; sources?: SourceContext[]; retrieved: RetrievedContext[] }): MetricResult {
  if (o.retrieved.length === 0) return skipped('nothing retrieved', 'lexical');
  let useful: boolean[];
  let against: string;
  if (o.sources?.length) {
    useful = o.retrieved.map((r) => o.sources!.some((s) => isSourceContext(r, s)));
    against = 'source passages';
  } else if (o.reference) {
    useful = o.retrieved.map((r) => termCoverage({ of: o.reference!, in: r.text }) >= USEFUL_COVERAGE);
    against = 'reference terms';
  } else return skipped('no reference and no source passages', 'lexical');
  return scored(contextPrecisionFromVerdicts(useful), 'lexical', { useful: useful.map((u) => (u ? 'yes' : 'no')), against });
}
