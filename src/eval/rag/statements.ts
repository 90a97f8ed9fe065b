import { stripCitationMarkers } from '../../rag/answer.js';
import { claimContent } from '../../rag/claim-terms.js';
import { segmentSentences } from '../../text/sentences.js';
import { askJudge, claimsSchema, type Judge, type JudgeReply } from './judge.js';
import { claimsPrompt, type JudgeLanguage } from './judge-prompts.js';

/** The judge breaks the answer (citation markers removed) into standalone statements. */
export async function extractStatements(judge: Judge, o: { question: string; answer: string; language: JudgeLanguage }): Promise<JudgeReply<string[]>> {
  const answer = stripCitationMarkers(o.answer).trim();
  if (!answer) return { ok: true, value: [] };
  const reply = await askJudge(judge, { schema: claimsSchema, messages: claimsPrompt({ question: o.question, answer, language: o.language }), name: 'statements', maxTokens: 800 });
  if (!reply.ok) return reply;
  // Duplicates and blank entries say nothing twice.
  const seen = new Set<string>();
  const statements = reply.value.statements.map((s) => s.replace(/\s+/g, ' ').trim()).filter((s) => s.length > 0 && !seen.has(s) && seen.add(s));
  return { ok: true, value: statements };
}

/**
 * The sentences of a reference answer that state something (Intl.Segmenter sentences, 。！？ included;
 * headings, questions and lead-ins left out). A reference too short to be split ("18 months") is one.
 */
export function referenceSentences(reference: string): string[] {
  const sentences = segmentSentences(reference)
    .map((s) => s.text.replace(/\s+/g, ' ').trim())
    .filter((s) => s.length > 0);
  const claims = sentences.filter((s) => claimContent({ sentence: s }).isClaim);
  if (claims.length > 0) return claims;
  const whole = reference.replace(/\s+/g, ' ').trim();
  return whole ? [whole] : [];
}
