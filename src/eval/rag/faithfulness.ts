import type { Answer } from '../../rag/answer.js';
import { verifyAnswer } from '../../rag/verify-citations.js';
import type { SearchHit } from '../../spec/store.js';
import { askJudge, verdictsSchema, verdictTokens, type Judge } from './judge.js';
import { faithfulnessPrompt, type JudgeLanguage } from './judge-prompts.js';
import { failed, scored, skipped, type MetricResult } from './metric-result.js';

/**
 * Faithfulness: the share of the answer's statements that the retrieved context supports.
 * `supported / statements`; undefined when there is no statement (an answer that claims nothing is
 * neither faithful nor unfaithful: the metric is skipped for it, not scored 0 or 1).
 */
export function faithfulnessFromVerdicts(verdicts: ReadonlyArray<'yes' | 'no'>): number | undefined {
  if (verdicts.length === 0) return undefined;
  return verdicts.filter((v) => v === 'yes').length / verdicts.length;
}

export async function judgeFaithfulness(judge: Judge, o: { statements: string[]; contexts: string[]; language: JudgeLanguage }): Promise<MetricResult> {
  if (o.statements.length === 0) return skipped('the answer makes no statement', 'judge');
  if (o.contexts.length === 0) return scored(0, 'judge', { statements: o.statements.length, supported: 0, note: 'nothing retrieved' });
  const reply = await askJudge(judge, {
    schema: verdictsSchema(o.statements.length),
    messages: faithfulnessPrompt(o),
    name: 'faithfulness',
    maxTokens: verdictTokens(o.statements.length),
  });
  if (!reply.ok) return failed(reply.reason, 'judge');
  const score = faithfulnessFromVerdicts(reply.value.verdicts);
  if (score === undefined) return failed('the judge gave no verdict', 'judge');
  return scored(score, 'judge', { statements: o.statements, verdicts: reply.value.verdicts });
}

/**
 * Without a judge: each sentence of the answer checked against the retrieved passages by Lore's citation
 * checker (`verifyAnswer`: IDF-weighted term coverage, numbers must match). Extractive answers quote the
 * passages, so they score 1 by construction; the figure means something for generated answers.
 */
export async function lexicalFaithfulness(o: { answer: Answer; hits: SearchHit[] }): Promise<MetricResult> {
  const verification = await verifyAnswer({ answer: { ...o.answer, verification: undefined }, hits: o.hits });
  if (verification.claims === 0) return skipped('the answer makes no statement', 'lexical');
  return scored(verification.supported / verification.claims, 'lexical', { statements: verification.claims, supported: verification.supported });
}
