import { describe, expect, it } from 'vitest';
import type { GenerateRequest, LanguageModel } from '../../spec/models.js';
import { f1FromCounts, judgeCorrectness, tokenF1, lexicalCorrectness } from './answer-correctness.js';
import { judgeRelevance, lexicalRelevance } from './answer-relevance.js';
import { contextPrecisionFromVerdicts, judgeContextPrecision, lexicalContextPrecision } from './context-precision.js';
import { contextRecallFromVerdicts, judgeContextRecall } from './context-recall.js';
import { faithfulnessFromVerdicts, judgeFaithfulness } from './faithfulness.js';
import { createJudge } from './judge.js';
import { judgeLanguage } from './judge-prompts.js';
import { scored, summarize, validScore, type MetricResult } from './metric-result.js';
import { extractStatements, referenceSentences } from './statements.js';
import type { RetrievedContext } from './context-match.js';

/** A judge whose replies the test writes, as a function of the request (schema name and prompt). */
function stubJudge(reply: (request: GenerateRequest) => string): { model: LanguageModel; requests: GenerateRequest[] } {
  const requests: GenerateRequest[] = [];
  const model: LanguageModel = {
    id: 'stub-judge',
    async generate(request) {
      requests.push(request);
      return { text: reply(request), toolCalls: [], finishReason: 'stop', model: 'stub-judge', usage: { inputTokens: 10, outputTokens: 5 } };
    },
    stream() {
      throw new Error('not used');
    },
  };
  return { model, requests };
}

const schemaName = (r: GenerateRequest) => (r.responseFormat?.type === 'json_schema' ? r.responseFormat.name : undefined);
const ctx = (text: string, chunkId = 1): RetrievedContext => ({ chunkId, documentId: chunkId, source: `/d${chunkId}.md`, title: null, text, score: 1 });

describe('metric arithmetic (hand-computed)', () => {
  it('faithfulness = supported / statements; no statement is undefined, not 0 or 1', () => {
    expect(faithfulnessFromVerdicts(['yes', 'no', 'yes', 'yes'])).toBe(0.75);
    expect(faithfulnessFromVerdicts(['no'])).toBe(0);
    expect(faithfulnessFromVerdicts([])).toBeUndefined();
  });

  it('context precision is the mean of precision@k over the useful ranks', () => {
    expect(contextPrecisionFromVerdicts([true, false, true])).toBeCloseTo((1 / 1 + 2 / 3) / 2, 15); // 0.8333
    expect(contextPrecisionFromVerdicts([false, true, true])).toBeCloseTo((1 / 2 + 2 / 3) / 2, 15); // 0.5833
    expect(contextPrecisionFromVerdicts([false, false])).toBe(0);
    expect(contextPrecisionFromVerdicts([true, true, true, true])).toBe(1);
  });

  it('context recall = attributed reference sentences / sentences', () => {
    expect(contextRecallFromVerdicts(['yes', 'no'])).toBe(0.5);
    expect(contextRecallFromVerdicts([])).toBeUndefined();
  });

  it('answer correctness is the statement F1: TP / (TP + (FP + FN) / 2)', () => {
    expect(f1FromCounts({ tp: 2, fp: 2, fn: 1 })).toBeCloseTo(2 / 3.5, 15);
    expect(f1FromCounts({ tp: 0, fp: 0, fn: 3 })).toBe(0);
    expect(f1FromCounts({ tp: 0, fp: 0, fn: 0 })).toBeUndefined();
  });

  it('token F1 counts analysed terms with multiplicity', () => {
    expect(tokenF1('Replace the gearbox oil every 18 months.', 'Replace the gearbox oil every 18 months.')).toBe(1);
    expect(tokenF1('oil', 'gearbox oil')).toBeCloseTo((2 * 1 * 0.5) / 1.5, 15);
    expect(tokenF1('blade', 'gearbox oil')).toBe(0);
    expect(lexicalCorrectness({ answer: 'x' }).status).toBe('skipped');
  });

  it('never yields NaN or out-of-range scores: invalid values fail, small excursions clamp', () => {
    expect(validScore(Number.NaN)).toBeUndefined();
    expect(validScore(Infinity)).toBeUndefined();
    expect(validScore(1.0000001)).toBe(1);
    expect(validScore(-0.2)).toBe(0);
    expect(scored(Number.NaN, 'judge').status).toBe('failed');
    const results: MetricResult[] = [scored(1, 'judge'), scored(0.5, 'judge'), { status: 'failed', reason: 'x', method: 'judge' }, { status: 'skipped', reason: 'y', method: 'judge' }, { status: 'scored', score: Number.NaN, method: 'judge' }];
    expect(summarize(results)).toEqual({ mean: 0.75, scored: 2, failed: 2, skipped: 1 });
    expect(summarize([])).toEqual({ mean: null, scored: 0, failed: 0, skipped: 0 });
  });

  it('splits a reference into the sentences that state something, Chinese included', () => {
    expect(referenceSentences('Replace the oil every 18 months. Check the filter for metal.')).toEqual(['Replace the oil every 18 months.', 'Check the filter for metal.']);
    expect(referenceSentences('每十八个月更换一次齿轮油。检查滤网。')).toEqual(['每十八个月更换一次齿轮油。', '检查滤网。']);
    expect(referenceSentences('18 months')).toEqual(['18 months']);
  });
});

describe('judged metrics from fixed judge outputs', () => {
  it('faithfulness: statements extracted, then judged; 3 of 4 supported = 0.75', async () => {
    const { model, requests } = stubJudge((r) =>
      schemaName(r) === 'statements' ? JSON.stringify({ statements: ['A.', 'B.', 'C.', 'D.', 'A.'] }) : JSON.stringify({ verdicts: ['yes', 'no', 'yes', 'yes'] }),
    );
    const judge = createJudge({ model });
    const statements = await extractStatements(judge, { question: 'q?', answer: 'A. B [1]. C. D.', language: 'en' });
    expect(statements).toEqual({ ok: true, value: ['A.', 'B.', 'C.', 'D.'] }); // the repeated statement counts once
    const result = await judgeFaithfulness(judge, { statements: statements.ok ? statements.value : [], contexts: ['passage one', 'passage two'], language: 'en' });
    expect(result).toMatchObject({ status: 'scored', score: 0.75, method: 'judge' });
    // Asked for exactly four verdicts, as a JSON Schema the provider enforces.
    const format = requests[1]!.responseFormat as { type: 'json_schema'; schema: { properties: { verdicts: { minItems: number; maxItems: number } } } };
    expect(format.schema.properties.verdicts).toMatchObject({ minItems: 4, maxItems: 4 });
    expect(requests[1]!.messages.at(-1)!.content).toContain('<passage n="2">');
    expect(judge.stats).toMatchObject({ calls: 2, failures: 0, inputTokens: 20, outputTokens: 10 });
  });

  it('a reply with the wrong number of verdicts, or no JSON, is a failure after one repair turn, never a score', async () => {
    const { model, requests } = stubJudge(() => JSON.stringify({ verdicts: ['yes'] }));
    const judge = createJudge({ model });
    const result = await judgeFaithfulness(judge, { statements: ['A.', 'B.'], contexts: ['p'], language: 'en' });
    expect(result.status).toBe('failed');
    expect(requests).toHaveLength(2);
    expect(judge.stats.failures).toBe(1);
    const garbage = createJudge({ model: stubJudge(() => 'I think it is fine!').model });
    const relevance = await judgeRelevance(garbage, { question: 'q?', answer: 'an answer', language: 'en' });
    expect(relevance).toMatchObject({ status: 'failed', method: 'judge' });
    expect((relevance as { reason: string }).reason).toMatch(/stub-judge/);
  });

  it('answer relevance maps full / partial / none to 1 / 0.5 / 0', async () => {
    for (const [rating, score] of [['full', 1], ['partial', 0.5], ['none', 0]] as const) {
      const judge = createJudge({ model: stubJudge(() => JSON.stringify({ rating })).model });
      expect(await judgeRelevance(judge, { question: 'q?', answer: 'a', language: 'en' })).toMatchObject({ status: 'scored', score });
    }
  });

  it('context precision, recall and correctness from fixed verdicts', async () => {
    const { model } = stubJudge((r) => {
      switch (schemaName(r)) {
        case 'context_precision':
          return JSON.stringify({ verdicts: ['no', 'yes', 'yes'] });
        case 'context_recall':
          return JSON.stringify({ verdicts: ['yes', 'no'] });
        case 'answer_correctness':
          return JSON.stringify({ answer_statements: ['yes', 'yes', 'no', 'no'], reference_statements: ['yes', 'no'] });
        default:
          return '{}';
      }
    });
    const judge = createJudge({ model });
    const reference = 'The oil is replaced every 18 months. The filter is checked for metal.';
    const precision = await judgeContextPrecision(judge, { question: 'q?', reference, answer: 'a', contexts: ['x', 'y', 'z'], language: 'en' });
    expect(precision).toMatchObject({ status: 'scored' });
    expect((precision as { score: number }).score).toBeCloseTo((1 / 2 + 2 / 3) / 2, 15);
    const recall = await judgeContextRecall(judge, { question: 'q?', reference, retrieved: [ctx('x')], language: 'en' });
    expect(recall).toMatchObject({ status: 'scored', score: 0.5 });
    const correctness = await judgeCorrectness(judge, { question: 'q?', reference, statements: ['s1', 's2', 's3', 's4'], language: 'en' });
    expect(correctness).toMatchObject({ status: 'scored', detail: { tp: 2, fp: 2, fn: 1 } });
    expect((correctness as { score: number }).score).toBeCloseTo(2 / 3.5, 15);
  });

  it('skips what does not apply instead of scoring it', async () => {
    const judge = createJudge({ model: stubJudge(() => '{}').model });
    expect(await judgeFaithfulness(judge, { statements: [], contexts: ['p'], language: 'en' })).toMatchObject({ status: 'skipped' });
    expect(await judgeContextRecall(judge, { question: 'q?', retrieved: [ctx('x')], language: 'en' })).toMatchObject({ status: 'skipped' });
    expect(await judgeCorrectness(judge, { question: 'q?', statements: ['a'], language: 'en' })).toMatchObject({ status: 'skipped' });
    expect(await judgeContextPrecision(judge, { question: 'q?', answer: 'a', contexts: [], language: 'en' })).toMatchObject({ status: 'skipped' });
    // An answer that states nothing misses every reference statement: 0, without a call.
    expect(await judgeCorrectness(judge, { question: 'q?', reference: 'The oil is replaced yearly.', statements: [], language: 'en' })).toMatchObject({ status: 'scored', score: 0 });
    expect(judge.stats.calls).toBe(0);
  });

  it('asks in Chinese for a Chinese question', async () => {
    const { model, requests } = stubJudge(() => JSON.stringify({ rating: 'full' }));
    expect(judgeLanguage('齿轮油多久更换一次？')).toBe('zh');
    expect(judgeLanguage('How often is the oil changed?')).toBe('en');
    await judgeRelevance(createJudge({ model }), { question: '齿轮油多久更换一次？', answer: '每十八个月。', language: judgeLanguage('齿轮油多久更换一次？') });
    expect(requests[0]!.messages[0]!.content).toMatch(/评判回答/);
  });
});

describe('judge-free (lexical) metrics', () => {
  it('answer relevance: share of the question\'s content terms in the answer; 0 for "no answer"', () => {
    const r = lexicalRelevance({ question: 'How often is the gearbox oil replaced?', answer: 'Replace the gearbox oil every 18 months. [1]' });
    expect(r).toMatchObject({ status: 'scored', score: 1 });
    expect(lexicalRelevance({ question: 'How often is the gearbox oil replaced?', answer: 'No passage in your documents answers this question.' })).toMatchObject({ score: 0 });
  });

  it('context precision against source passages or reference terms', () => {
    const sources = [{ text: 'Replace the gearbox oil every 18 months.', chunkId: 7 }];
    const retrieved = [ctx('Grease the yaw bearing.', 3), ctx('Gearbox: replace the gearbox oil every 18 months. Check it monthly.', 9)];
    expect(lexicalContextPrecision({ sources, retrieved })).toMatchObject({ status: 'scored', score: 0.5 });
    expect(lexicalContextPrecision({ reference: 'gearbox oil 18 months', retrieved })).toMatchObject({ score: 0.5 });
    expect(lexicalContextPrecision({ retrieved })).toMatchObject({ status: 'skipped' });
  });
});
