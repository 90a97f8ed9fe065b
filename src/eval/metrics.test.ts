import { describe, expect, it } from 'vitest';
import { isLoreError } from '../spec/errors.js';
import { evaluateRun, metricNames, percentile, writeTrecRun, type Qrels, type Run } from './metrics.js';
import { parseTrecQrels, parseTrecRun } from './trec-files.js';

function qrelsOf(entries: Record<string, Record<string, number>>): Qrels {
  return new Map(Object.entries(entries).map(([q, docs]) => [q, new Map(Object.entries(docs))]));
}

function scored(...pairs: [string, number][]): { docId: string; score: number }[] {
  return pairs.map(([docId, score]) => ({ docId, score }));
}

// Graded query: d1 gain 3, d2 gain 2, d3 gain 1, d4 judged non-relevant, d5 unjudged.
// Ranking d4 d1 d5 d3 d2 → gains by rank [0, 3, 0, 1, 2].
const graded = qrelsOf({ q1: { d1: 3, d2: 2, d3: 1, d4: 0 } });
const gradedRun: Run = new Map([['q1', scored(['d4', 0.9], ['d1', 0.8], ['d5', 0.7], ['d3', 0.6], ['d2', 0.5])]]);

describe('evaluateRun on graded gains', () => {
  const { perQuery, mean } = evaluateRun({ run: gradedRun, qrels: graded, ks: [1, 3, 5] });
  const m = perQuery[0]!.metrics;

  it('computes nDCG with linear gains and log2(rank + 1) discount', () => {
    // Ideal order 3, 2, 1: IDCG = 3/log2(2) + 2/log2(3) + 1/log2(4) = 3 + 1.26186 + 0.5 = 4.76186.
    const idcg = 3 + 2 / Math.log2(3) + 1 / 2;
    expect(m['ndcg@1']).toBe(0); // d4 is judged but gain 0
    // DCG@3 = 3/log2(3) = 1.89279 → 0.397490
    expect(m['ndcg@3']).toBeCloseTo(3 / Math.log2(3) / idcg, 12);
    expect(m['ndcg@3']).toBeCloseTo(0.397490, 6);
    // DCG@5 = 3/log2(3) + 1/log2(5) + 2/log2(6) = 1.89279 + 0.43068 + 0.77371 = 3.09717 → 0.650412
    expect(m['ndcg@5']).toBeCloseTo(0.650412, 6);
  });

  it('computes Recall, P and MRR at each cutoff', () => {
    expect(m['recall@1']).toBe(0);
    expect(m['recall@3']).toBeCloseTo(1 / 3, 12);
    expect(m['recall@5']).toBe(1);
    expect(m['p@3']).toBeCloseTo(1 / 3, 12);
    expect(m['p@5']).toBeCloseTo(3 / 5, 12);
    expect(m['mrr@1']).toBe(0);
    expect(m['mrr@3']).toBe(0.5);
  });

  it('computes uncut MAP', () => {
    // Relevant at ranks 2, 4, 5: (1/2 + 2/4 + 3/5) / 3 = 0.533333
    expect(m.map).toBeCloseTo(1.6 / 3, 12);
    expect(mean.map).toBeCloseTo(1.6 / 3, 12);
  });

  it('reports counts and fills every named metric', () => {
    expect(perQuery[0]).toMatchObject({ queryId: 'q1', retrieved: 5, relevant: 3 });
    expect(Object.keys(mean).sort()).toEqual(metricNames([1, 3, 5]).sort());
  });
});

describe('evaluateRun edge cases', () => {
  it('scores a query with no hits 0 and keeps it in the mean', () => {
    const qrels = qrelsOf({ q1: { a: 1 }, q2: { b: 2 }, q3: { c: 1 } });
    const run: Run = new Map([['q1', scored(['a', 1])], ['q2', []]]); // q3 missing from the run entirely
    const { perQuery, mean, queryCount } = evaluateRun({ run, qrels, ks: [10] });
    expect(queryCount).toBe(3);
    expect(perQuery[1]!.metrics).toEqual({ 'ndcg@10': 0, 'recall@10': 0, 'mrr@10': 0, 'p@10': 0, map: 0 });
    expect(perQuery[2]!.metrics['ndcg@10']).toBe(0);
    expect(mean['ndcg@10']).toBeCloseTo(1 / 3, 12);
    expect(mean['p@10']).toBeCloseTo(0.1 / 3, 12); // P@10 divides by 10 even with one result
  });

  it('divides MAP by all relevant documents, including ones never retrieved', () => {
    // 4 relevant, run finds a (rank 1) and b (rank 3): (1/1 + 2/3) / 4 = 0.416667
    const qrels = qrelsOf({ q: { a: 1, b: 1, c: 1, d: 1 } });
    const run: Run = new Map([['q', scored(['a', 3], ['x', 2], ['b', 1])]]);
    const { mean } = evaluateRun({ run, qrels, ks: [2] });
    expect(mean.map).toBeCloseTo((1 + 2 / 3) / 4, 12);
    expect(mean['recall@2']).toBe(0.25);
  });

  it('sorts by score then docId descending like trec_eval, or keeps the given order', () => {
    const qrels = qrelsOf({ q: { a: 1 } });
    const run: Run = new Map([['q', scored(['a', 1], ['b', 1], ['c', 2])]]);
    expect(evaluateRun({ run, qrels, ks: [3] }).mean['mrr@3']).toBeCloseTo(1 / 3, 12); // c, b, a
    expect(evaluateRun({ run, qrels, ks: [3], order: 'given' }).mean['mrr@3']).toBe(1);
  });

  it('breaks ties in UTF-8 byte order like strcmp, not UTF-16 order', () => {
    // U+1F600 sorts above U+FF01 in UTF-8 (and code points), below it in UTF-16 code units.
    const qrels = qrelsOf({ q: { '\u{1F600}': 1 } });
    const run: Run = new Map([['q', scored(['\uFF01', 1], ['\u{1F600}', 1])]]);
    expect(evaluateRun({ run, qrels, ks: [1] }).mean['mrr@1']).toBe(1);
  });

  it('accepts a plain list of ids as an already ordered ranking', () => {
    const qrels = qrelsOf({ q: { a: 2, b: 1 } });
    const run: Run = new Map([['q', ['b', 'a']]]);
    const ndcg = evaluateRun({ run, qrels, ks: [2] }).mean['ndcg@2']!;
    expect(ndcg).toBeCloseTo((1 + 2 / Math.log2(3)) / (2 + 1 / Math.log2(3)), 12);
  });

  it('ignores run queries that have no qrels', () => {
    const qrels = qrelsOf({ q: { a: 1 } });
    const run: Run = new Map([['q', ['a']], ['other', ['z']]]);
    expect(evaluateRun({ run, qrels }).queryCount).toBe(1);
  });

  it('rejects duplicate documents and bad cutoffs', () => {
    const qrels = qrelsOf({ q: { a: 1 } });
    const run: Run = new Map([['q', ['a', 'a']]]);
    expect(() => evaluateRun({ run, qrels })).toThrow(/twice/);
    expect(() => evaluateRun({ run: new Map(), qrels, ks: [0] })).toThrow(/positive integer/);
    try {
      evaluateRun({ run, qrels });
    } catch (error) {
      expect(isLoreError(error, 'INVALID_ARGUMENT')).toBe(true);
    }
  });
});

describe('percentile', () => {
  it('uses the nearest-rank method', () => {
    const values = [35, 20, 50, 15, 40];
    expect(percentile(values, 0)).toBe(15);
    expect(percentile(values, 30)).toBe(20);
    expect(percentile(values, 40)).toBe(20);
    expect(percentile(values, 50)).toBe(35);
    expect(percentile(values, 100)).toBe(50);
    const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(ten, 50)).toBe(5);
    expect(percentile(ten, 95)).toBe(10);
  });

  it('returns NaN for no values and rejects p outside 0..100', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 101)).toThrow(/outside/);
  });
});

describe('writeTrecRun', () => {
  it('writes qid Q0 docid rank score tag in trec_eval order', () => {
    const run: Run = new Map<string, readonly { docId: string; score: number }[] | readonly string[]>([
      ['q1', scored(['a', 1.5], ['b', 2.25])],
      ['q2', ['x', 'y']],
    ]);
    expect(writeTrecRun({ run, tag: 'lore' })).toBe(
      ['q1 Q0 b 1 2.25 lore', 'q1 Q0 a 2 1.5 lore', 'q2 Q0 x 1 2 lore', 'q2 Q0 y 2 1 lore', ''].join('\n'),
    );
  });

  it('refuses fields with white space', () => {
    expect(() => writeTrecRun({ run: new Map(), tag: 'my run' })).toThrow(/white space/);
    expect(() => writeTrecRun({ run: new Map([['q 1', ['a']]]), tag: 't' })).toThrow(/white space/);
  });
});

describe('reference numbers (pytrec_eval / trec_eval) for small run files', () => {
  // pytrec_eval's own example and unit tests (its README and tests/pytrec_eval_tests.py):
  // q1 → map 0.3333333333333333, ndcg 0.5; q2 → map 0.5833333333333333, ndcg 0.6934264036172708;
  // ndcg_cut_1/2/3/1000 of q1 = 0, 0, 0.5, 0.5; moving the relevant document to rank 2 → ndcg 0.6309297535714575.
  const qrels = parseTrecQrels(['q1 0 d1 0', 'q1 0 d2 1', 'q1 0 d3 0', 'q2 0 d2 1', 'q2 0 d3 1'].join('\n'));

  it('matches pytrec_eval on its README example', () => {
    const run = parseTrecRun(
      ['q1 Q0 d1 1 1.0 x', 'q1 Q0 d2 2 0.0 x', 'q1 Q0 d3 3 1.5 x', 'q2 Q0 d1 1 1.5 x', 'q2 Q0 d2 2 0.2 x', 'q2 Q0 d3 3 0.5 x'].join('\n'),
    );
    const { perQuery } = evaluateRun({ run, qrels, ks: [1, 2, 3, 1000] });
    const [q1, q2] = perQuery.map((q) => q.metrics);
    expect(q1!.map).toBeCloseTo(0.3333333333333333, 15);
    expect(q1!['ndcg@1000']).toBeCloseTo(0.5, 15);
    expect([q1!['ndcg@1'], q1!['ndcg@2'], q1!['ndcg@3']]).toEqual([0, 0, 0.5]);
    expect(q2!.map).toBeCloseTo(0.5833333333333333, 15);
    expect(q2!['ndcg@1000']).toBeCloseTo(0.6934264036172708, 15);
  });

  it('matches pytrec_eval when the relevant document moves to rank 2', () => {
    const run = parseTrecRun(['q1 Q0 d1 1 4.0 x', 'q1 Q0 d2 2 2.0 x', 'q1 Q0 d3 3 1.5 x'].join('\n'));
    expect(evaluateRun({ run, qrels, ks: [1000] }).perQuery[0]!.metrics['ndcg@1000']).toBeCloseTo(0.6309297535714575, 15);
  });

  it('matches trec_eval -c on a graded run file with ties, an unretrieved query and an unjudged one', () => {
    // Reference computed by an independent implementation of trec_eval's definitions (score descending,
    // ties by docno descending, linear gains, log2 discount, P@k over k, MAP over all relevant documents;
    // q3 has judgments and no results: zeros, kept in the means; q4 has results and no judgments: ignored).
    const graded = parseTrecQrels(['q1 0 d1 3', 'q1 0 d2 2', 'q1 0 d3 0', 'q1 0 d4 1', 'q1 0 d9 1', 'q2 0 a 1', 'q2 0 b 1', 'q3 0 x 2'].join('\n'));
    const run = parseTrecRun(
      [
        'q1 Q0 d3 1 2.5 r', // tie at 2.5 with d1: trec_eval puts d3 first (docno descending)
        'q1 Q0 d1 2 2.5 r',
        'q1 Q0 d5 3 1.75 r',
        'q1 Q0 d2 4 1.5 r',
        'q1 Q0 d4 5 0.25 r',
        'q1 Q0 d6 6 0.1 r',
        'q2 Q0 c 1 0.9 r',
        'q2 Q0 b 2 0.8 r',
        'q2 Q0 a 3 0.8 r',
        'q4 Q0 z 1 1.0 r',
      ].join('\n'),
    );
    const { perQuery, mean, queryCount } = evaluateRun({ run, qrels: graded, ks: [3, 5, 10] });
    expect(queryCount).toBe(3);
    const q1 = perQuery[0]!.metrics;
    expect(q1['ndcg@3']).toBeCloseTo(0.39748952229168844, 14);
    expect(q1['ndcg@5']).toBeCloseTo(0.6049058002960359, 14);
    expect(q1['recall@5']).toBe(0.75);
    expect(q1['p@5']).toBeCloseTo(0.6, 15);
    expect(q1.map).toBeCloseTo(0.4, 15);
    expect(q1['mrr@10']).toBe(0.5);
    expect(perQuery[1]!.metrics['ndcg@10']).toBeCloseTo(0.6934264036172708, 14);
    expect(mean['ndcg@3']).toBeCloseTo(0.36363864196965306, 14);
    expect(mean['ndcg@10']).toBeCloseTo(0.4327774013044356, 14);
    expect(mean['recall@3']).toBeCloseTo(0.4166666666666667, 14);
    expect(mean['p@10']).toBeCloseTo(0.16666666666666666, 14);
    expect(mean['mrr@10']).toBeCloseTo(0.3333333333333333, 14);
    expect(mean.map).toBeCloseTo(0.3277777777777778, 14);
  });

  it('reads TREC files strictly', () => {
    expect(() => parseTrecQrels('q1 0 d1')).toThrow(/4 fields/);
    expect(() => parseTrecRun('q1 Q0 d1 1 high tag')).toThrow(/not a number/);
  });
});
