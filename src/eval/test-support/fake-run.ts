import type { StoredEvalRun } from '../../spec/eval-runs.js';

/** A stored RAG run made up by a test: items with the given scores, means computed as a run's are. */
export function fakeRun(o: { id: string; name?: string; createdAt: string; scores: Record<string, Record<string, number | null>>; hash?: string; failures?: Record<string, Record<string, string>> }): StoredEvalRun {
  const metricNames = Object.keys(Object.values(o.scores)[0] ?? {});
  const items = Object.entries(o.scores).map(([itemId, scores]) => ({
    itemId,
    input: `question ${itemId}`,
    output: { answer: `answer ${itemId}`, ...(o.failures?.[itemId] ? { failures: o.failures[itemId] } : {}) },
    scores,
    error: null,
  }));
  const metrics = Object.fromEntries(
    metricNames.map((m) => {
      const values = items.map((i) => i.scores[m]).filter((v): v is number => typeof v === 'number');
      return [m, { mean: values.length ? values.reduce((a, b) => a + b, 0) / values.length : null, scored: values.length, failed: items.length - values.length, skipped: 0 }];
    }),
  );
  return {
    run: { id: o.id, kind: 'rag', name: o.name ?? null, dataset: 'set.jsonl', datasetHash: o.hash ?? 'h1', config: { k: 8 }, metrics, notes: [], createdAt: o.createdAt, itemCount: items.length },
    items,
  };
}
