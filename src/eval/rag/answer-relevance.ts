import { stripCitationMarkers } from '../../rag/answer.js';
import { claimContent } from '../../rag/claim-terms.js';
import { analyze } from '../../text/analyze.js';
import { normalizeText } from '../../text/normalize.js';
import { HAN_RE } from '../../text/scripts.js';
import { askJudge, relevanceSchema, type Judge } from './judge.js';
import { relevancePrompt, type JudgeLanguage } from './judge-prompts.js';
import { failed, scored, type MetricResult } from './metric-result.js';

/** The judge's rating as a score: full 1, partial 0.5, none 0. */
export const RELEVANCE_SCORES = { full: 1, partial: 0.5, none: 0 } as const;

/**
 * Answer relevance: does the answer address the question (not: is it true)? The judge rates it full,
 * partial or none. (Ragas instead has the judge write questions for the answer and compares their
 * embeddings with the question's; a three-level rating needs no embedder and is what small local
 * judges can do reliably under a grammar.)
 */
export async function judgeRelevance(judge: Judge, o: { question: string; answer: string; language: JudgeLanguage }): Promise<MetricResult> {
  const answer = stripCitationMarkers(o.answer).trim();
  if (!answer) return scored(0, 'judge', { rating: 'none', note: 'empty answer' });
  const reply = await askJudge(judge, { schema: relevanceSchema, messages: relevancePrompt({ ...o, answer }), name: 'answer_relevance', maxTokens: 40 });
  if (!reply.ok) return failed(reply.reason, 'judge');
  return scored(RELEVANCE_SCORES[reply.value.rating], 'judge', { rating: reply.value.rating });
}

/** Question words that carry no topic: left out of the question's terms. */
const INTERROGATIVES: ReadonlySet<string> = new Set(
  analyze('what which who whom whose when where why how many much often long 什么 哪些 哪个 哪里 哪儿 为什么 如何 怎么 怎样 多少 几 是否 吗 呢'),
);

/** The question's content terms: analysed, without question words and words about sources. */
export function questionTerms(question: string): string[] {
  return claimContent({ sentence: question }).terms.filter((t) => !INTERROGATIVES.has(t));
}

/**
 * Without a judge: the share of the question's content terms the answer contains (Chinese terms also as
 * substrings); 0 for an answer that states nothing ("No passage answers this question"). A crude proxy:
 * an answer can repeat the question's words and still not answer it.
 */
export function lexicalRelevance(o: { question: string; answer: string }): MetricResult {
  const answer = stripCitationMarkers(o.answer);
  const sentences = answer.split(/(?<=[.!?。！？])\s*/).filter((s) => s.trim());
  if (!sentences.some((s) => claimContent({ sentence: s }).isClaim)) return scored(0, 'lexical', { note: 'the answer states nothing' });
  const terms = [...new Set(questionTerms(o.question))];
  if (terms.length === 0) return scored(1, 'lexical', { note: 'the question has no content term' });
  const answerTerms = new Set(analyze(answer));
  const compact = normalizeText(answer).replace(/\s+/g, '');
  const found = terms.filter((t) => answerTerms.has(t) || (HAN_RE.test(t) && compact.includes(t)));
  return scored(found.length / terms.length, 'lexical', { questionTerms: terms.length, found: found.length });
}
