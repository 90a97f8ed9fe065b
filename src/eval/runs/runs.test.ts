import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isLoreError } from '../../spec/errors.js';
import { createSqliteEvalRunStore } from '../../store/sqlite/eval-run-store.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { compareRuns } from './compare-runs.js';
import { checkThresholdMetrics, failedThresholds, parseThreshold } from './fail-below.js';
import { fakeRun } from '../test-support/fake-run.js';

const A = fakeRun({ id: 'rag-aaa111', name: 'baseline', createdAt: '2026-01-01T00:00:00.000Z', scores: { q1: { faithfulness: 1, answer_relevance: 0.5 }, q2: { faithfulness: 0.5, answer_relevance: 1 }, q3: { faithfulness: 0, answer_relevance: null }, q4: { faithfulness: 1, answer_relevance: 1 } } });
const B = fakeRun({ id: 'rag-bbb222', createdAt: '2026-01-02T00:00:00.000Z', scores: { q1: { faithfulness: 1, answer_relevance: 1 }, q2: { faithfulness: 0.25, answer_relevance: 1 }, q3: { faithfulness: 0.5, answer_relevance: 0 }, q5: { faithfulness: 1, answer_relevance: 1 } } });

describe('compareRuns', () => {
  it('gives mean deltas and per-item wins, losses and ties of B against A', () => {
    const c = compareRuns(A, B);
    const f = c.metrics.find((m) => m.metric === 'faithfulness')!;
    // A: (1 + 0.5 + 0 + 1) / 4 = 0.625; B: (1 + 0.25 + 0.5 + 1) / 4 = 0.6875
    expect(f).toMatchObject({ a: 0.625, b: 0.6875, compared: 3, wins: 1, losses: 1, ties: 1 });
    expect(f.delta).toBeCloseTo(0.0625, 15);
    const r = c.metrics.find((m) => m.metric === 'answer_relevance')!;
    // q3 failed in A: compared on q1 (win) and q2 (tie) only.
    expect(r).toMatchObject({ compared: 2, wins: 1, losses: 0, ties: 1 });
    expect(c.onlyInA).toEqual(['q4']);
    expect(c.onlyInB).toEqual(['q5']);
    expect(c.sameDataset).toBe(true);
    expect(c.items.find((i) => i.itemId === 'q2')!.scores['faithfulness']).toEqual({ a: 0.5, b: 0.25, delta: -0.25 });
  });

  it('names each run\'s pipeline and the settings that differ; a run stored before pipelines were recorded read as none', () => {
    const windowed = { ...B, run: { ...B.run, config: { k: 3, pipeline: 'mmr,window:1', judgeStats: { calls: 9 }, method: 'lexical' } } };
    const older = { ...A, run: { ...A.run, config: { k: 8, judgeStats: { calls: 4 }, method: 'lexical' } } };
    const c = compareRuns(older, windowed);
    expect([c.a.pipeline, c.b.pipeline]).toEqual(['none', 'mmr,window:1']);
    // judgeStats is an outcome, not a setting; method is the same in both.
    expect(c.settings).toEqual([
      { setting: 'k', a: 8, b: 3 },
      { setting: 'pipeline', a: 'none', b: 'mmr,window:1' },
    ]);
    expect(compareRuns(windowed, windowed).settings).toEqual([]);
  });

  it('says when the test sets differ', () => {
    const other = fakeRun({ id: 'rag-ccc333', createdAt: '2026-01-03T00:00:00.000Z', hash: 'h2', scores: { q1: { faithfulness: 1 } } });
    expect(compareRuns(A, other).notes.join(' ')).toMatch(/different data/);
  });
});

describe('--fail-below', () => {
  it('parses metric=value and finds the metrics below', () => {
    expect(parseThreshold('Answer-Relevance=0.7')).toEqual({ metric: 'answer_relevance', value: 0.7 });
    expect(() => parseThreshold('faithfulness')).toThrow(/metric=value/);
    expect(() => parseThreshold('faithfulness=1.5')).toThrow(/0 to 1/);
    expect(() => parseThreshold('faithfulness=')).toThrow();
    const failing = failedThresholds(A.run.metrics, [parseThreshold('faithfulness=0.7'), parseThreshold('answer_relevance=0.5'), parseThreshold('ndcg@10=0.1')]);
    expect(failing).toEqual([
      { metric: 'faithfulness', value: 0.7, actual: 0.625 },
      { metric: 'ndcg@10', value: 0.1, actual: null },
    ]);
    expect(() => checkThresholdMetrics([parseThreshold('faithfulnes=0.5')], ['faithfulness'])).toThrow(/unknown metric "faithfulnes"/);
  });
});

describe('stored runs (eval_runs, eval_items)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lore-runs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('saves runs with their items in order and finds them by id, prefix, name and latest~N', async () => {
    const store = new SqliteStore({ path: join(dir, 'lore.db') });
    try {
      const runs = createSqliteEvalRunStore(store.db);
      // Items in the test set's order, not in id order.
      const reversed = { ...B, items: [...B.items].reverse() };
      await runs.saveRun(A);
      await runs.saveRun(reversed);
      expect((await runs.listRuns()).map((r) => r.id)).toEqual(['rag-bbb222', 'rag-aaa111']);
      expect(await runs.listRuns({ kind: 'retrieval' })).toEqual([]);
      const got = await runs.getRun('rag-bbb222');
      expect(got.run).toEqual({ ...B.run, itemCount: 4 });
      expect(got.items.map((i) => i.itemId)).toEqual(['q5', 'q3', 'q2', 'q1']);
      expect(got.items[1]).toEqual(B.items[2]);
      expect((await runs.getRun('baseline')).run.id).toBe('rag-aaa111');
      expect((await runs.getRun('latest')).run.id).toBe('rag-bbb222');
      expect((await runs.getRun('latest~1')).run.id).toBe('rag-aaa111');
      expect((await runs.getRun('bbb')).run.id).toBe('rag-bbb222');
      await expect(runs.getRun('nope')).rejects.toSatisfy((e) => isLoreError(e, 'NOT_FOUND'));
      await expect(runs.getRun('rag-')).rejects.toThrow(/names 2 runs/);
      expect(await runs.deleteRun('rag-aaa111')).toBe(true);
      expect(store.db.prepare('SELECT count(*) FROM eval_items').pluck().get()).toBe(4);
    } finally {
      store.close();
    }
  });
});
