import type { Answer } from '../../rag/answer.js';
import { verifyAnswer } from '../../rag/verify-citations.js';
import type { SearchHit } from '../../spec/store.js';
import { askJudge, verdictsSchema, verdictTokens, type Judge } from './judge.js';
import { recallPrompt, type JudgeLanguage } from './judge-prompts.js';
import { failed, scored, skipped, type MetricResult } from './metric-result.js';
import { isSourceContext, type RetrievedContext } from './context-match.js';
import { referenceSentences } from './statements.js';
import type { SourceContext } from './test-set.js';

/**
 * Context recall: the share of the reference answer's sentences that the retrieved passages support
 * (`attributed / sentences`). Items without a reference but with source passages use the share of those
 * passages that were retrieved; items with neither are skipped.
 */
export function contextRecallFromVerdicts(verdicts: ReadonlyArray<'yes' | 'no'>): number | undefined {
  if (verdicts.length === 0) return undefined;
  return verdicts.filter((v) => v === 'yes').length / verdicts.length;
}

/** Share of the item's source passages among the retrieved ones. */
export function sourceRecall(o: { sources: SourceContext[]; retrieved: RetrievedContext[] }): MetricResult {
  const found = o.sources.filter((s) => o.retrieved.some((r) => isSourceContext(r, s))).length;
  return scored(found / o.sources.length, 'lexical', { sources: o.sources.length, found, against: 'source passages' });
}

export async function judgeContextRecall(judge: Judge, o: { question: string; reference?: string; sources?: SourceContext[]; retrieved: RetrievedContext[]; language: JudgeLanguage }): Promise<MetricResult> {
  if (!o.reference) return o.sources?.length ? sourceRecall({ sources: o.sources, retrieved: o.retrieved }) : skipped('no reference answer', 'judge');
  const sentences = referenceSentences(o.reference);
  if (sentences.length === 0) return skipped('the reference states nothing', 'judge');
  if (o.retrieved.length === 0) return scored(0, 'judge', { sentences: sentences.length, attributed: 0, note: 'nothing retrieved' });
  const reply = await askJudge(judge, {
    schema: verdictsSchema(sentences.length),
    messages: recallPrompt({ question: o.question, sentences, contexts: o.retrieved.map((r) => r.text), language: o.language }),
    name: 'context_recall',
    maxTokens: verdictTokens(sentences.length),
  });
  if (!reply.ok) return failed(reply.reason, 'judge');
  const score = contextRecallFromVerdicts(reply.value.verdicts);
  if (score === undefined) return failed('the judge gave no verdict', 'judge');
  return scored(score, 'judge', { sentences, verdicts: reply.value.verdicts });
}

/**
 * Without a judge: each sentence of the reference is checked against the retrieved passages by the
 * citation checker, as if it were an answer; falls back to source passages, as above.
 */
export async function lexicalContextRecall(o: { question: string; reference?: string; sources?: SourceContext[]; retrieved: RetrievedContext[]; hits: SearchHit[] }): Promise<MetricResult> {
  if (!o.reference) return o.sources?.length ? sourceRecall({ sources: o.sources, retrieved: o.retrieved }) : skipped('no reference answer', 'lexical');
  if (o.hits.length === 0) return scored(0, 'lexical', { note: 'nothing retrieved' });
  const asAnswer: Answer = { question: o.question, mode: 'generative', text: referenceSentences(o.reference).join(' '), citations: [] };
  const verification = await verifyAnswer({ answer: asAnswer, hits: o.hits });
  if (verification.claims === 0) return skipped('the reference states nothing', 'lexical');
  return scored(verification.supported / verification.claims, 'lexical', { sentences: verification.claims, attributed: verification.supported });
}
