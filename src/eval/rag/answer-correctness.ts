import { stripCitationMarkers } from '../../rag/answer.js';
import { analyze } from '../../text/analyze.js';
import { askJudge, correctnessSchema, verdictTokens, type Judge } from './judge.js';
import { correctnessPrompt, type JudgeLanguage } from './judge-prompts.js';
import { failed, scored, skipped, type MetricResult } from './metric-result.js';
import { referenceSentences } from './statements.js';

/**
 * Answer correctness: the F1 of the answer's statements against the reference's (Ragas' factual part).
 * TP = answer statements the reference supports, FP = answer statements it does not, FN = reference
 * statements the answer does not state; F1 = TP / (TP + (FP + FN) / 2). Undefined when there is nothing
 * on either side. (Ragas also blends in 25% embedding similarity; Lore reports the factual F1 alone.)
 */
export function f1FromCounts(o: { tp: number; fp: number; fn: number }): number | undefined {
  const denominator = o.tp + 0.5 * (o.fp + o.fn);
  return denominator === 0 ? undefined : o.tp / denominator;
}

export async function judgeCorrectness(judge: Judge, o: { question: string; reference?: string; statements: string[]; language: JudgeLanguage }): Promise<MetricResult> {
  if (!o.reference) return skipped('no reference answer', 'judge');
  const referenceStatements = referenceSentences(o.reference);
  if (referenceStatements.length === 0) return skipped('the reference states nothing', 'judge');
  // An answer that states nothing misses every statement of the reference: no call needed.
  if (o.statements.length === 0) return scored(0, 'judge', { tp: 0, fp: 0, fn: referenceStatements.length });
  const reply = await askJudge(judge, {
    schema: correctnessSchema(o.statements.length, referenceStatements.length),
    messages: correctnessPrompt({ question: o.question, answerStatements: o.statements, referenceStatements, language: o.language }),
    name: 'answer_correctness',
    maxTokens: verdictTokens(o.statements.length + referenceStatements.length),
  });
  if (!reply.ok) return failed(reply.reason, 'judge');
  const tp = reply.value.answer_statements.filter((v) => v === 'yes').length;
  const fp = reply.value.answer_statements.length - tp;
  const fn = reply.value.reference_statements.filter((v) => v === 'no').length;
  const score = f1FromCounts({ tp, fp, fn });
  if (score === undefined) return failed('the judge gave no verdict', 'judge');
  return scored(score, 'judge', { tp, fp, fn });
}

/**
 * Token F1 of two texts on the shared analyser's terms (stemmed English words; Chinese words and their
 * bigrams), counted with multiplicity, as SQuAD's F1 counts tokens.
 */
export function tokenF1(answer: string, reference: string): number {
  const a = analyze(answer);
  const r = analyze(reference);
  if (a.length === 0 || r.length === 0) return a.length === r.length ? 1 : 0;
  const counts = new Map<string, number>();
  for (const t of r) counts.set(t, (counts.get(t) ?? 0) + 1);
  let common = 0;
  for (const t of a) {
    const c = counts.get(t) ?? 0;
    if (c > 0) {
      common++;
      counts.set(t, c - 1);
    }
  }
  if (common === 0) return 0;
  const precision = common / a.length;
  const recall = common / r.length;
  return (2 * precision * recall) / (precision + recall);
}

/** Without a judge: token F1 of the answer (markers removed) against the reference. */
export function lexicalCorrectness(o: { answer: string; reference?: string }): MetricResult {
  if (!o.reference) return skipped('no reference answer', 'lexical');
  return scored(tokenF1(stripCitationMarkers(o.answer), o.reference), 'lexical');
}
