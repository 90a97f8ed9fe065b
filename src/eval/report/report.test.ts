import { describe, expect, it } from 'vitest';
import { fakeRun } from '../test-support/fake-run.js';
import { htmlReport } from './html-report.js';
import { markdownReport, sparkline } from './markdown-report.js';
import { binScores, histogramSvg } from './svg-charts.js';
import { jsonReport, reportFormat } from './write-report.js';

const hostile = '<script>alert("x")</script> & <img src=x onerror=alert(1)>';
const current = fakeRun({
  id: 'rag-bbb222',
  createdAt: '2026-01-02T00:00:00.000Z',
  scores: { q1: { faithfulness: 1, answer_relevance: 0.5 }, q2: { faithfulness: 0.25, answer_relevance: null }, [hostile]: { faithfulness: 0.95, answer_relevance: 0 } },
  failures: { q2: { answer_relevance: 'judge stub failed: the reply is not JSON' } },
});
const baseline = fakeRun({ id: 'rag-aaa111', name: 'baseline', createdAt: '2026-01-01T00:00:00.000Z', scores: { q1: { faithfulness: 0.5, answer_relevance: 0.5 }, q2: { faithfulness: 0.5, answer_relevance: 1 } } });

describe('charts', () => {
  it('bins scores in tenths, 1.0 in the last bin, non-finite values ignored', () => {
    expect(binScores([0, 0.05, 0.1, 0.99, 1, Number.NaN])).toEqual([2, 1, 0, 0, 0, 0, 0, 0, 0, 2]);
    expect(sparkline([0, 1, 1])).toBe('▄········█'); // half the tallest bin: the middle block
  });

  it('draws one bar per bin (two with a baseline) and escapes the title', () => {
    const svg = histogramSvg({ title: 'a<b', values: [0.1, 0.9], baseline: [0.5] });
    expect(svg.match(/<rect class="bar current"/g)).toHaveLength(10);
    expect(svg.match(/<rect class="bar baseline"/g)).toHaveLength(10);
    expect(svg).toContain('a&lt;b');
    expect(svg).not.toContain('a<b');
  });
});

describe('reports', () => {
  it('HTML: self-contained, no script, every text escaped, charts and per-item rows', () => {
    const html = htmlReport({ current, baseline });
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\b(?:src|href)=["']?(?:https?:)?\/\//i);
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html.match(/<svg class="chart histogram"/g)).toHaveLength(2);
    expect(html).toContain('<svg class="chart means"');
    expect(html).toContain('<svg class="chart winloss"');
    expect(html).toContain('title="judge stub failed: the reply is not JSON">failed');
    expect(html).toMatch(/Compared with baseline · rag-aaa111/);
    // Mean faithfulness: (1 + 0.25 + 0.95) / 3 = 0.733; baseline 0.5 → +0.233.
    expect(html).toContain('0.733');
    expect(html).toContain('+0.233');
    expect(html).not.toMatch(/NaN|undefined/);
  });

  it('Markdown: metrics with distributions, the comparison, per-item rows, failures', () => {
    const md = markdownReport({ current, baseline });
    expect(md).toMatch(/^# Lore RAG evaluation: rag-bbb222/);
    expect(md).toMatch(/\| faithfulness \| 0\.733 \| 3 \| 0 \| 0 \| `[·▁-█]{10}` \| 0\.500 \| \+0\.233 \| 1 \/ 0 \/ 1 \|/);
    expect(md).toContain('| q2 | question q2 | 0.250 (−0.250) | failed |');
    expect(md).toContain('## Failures');
    expect(md).not.toMatch(/NaN|undefined/);
  });

  it('names both runs\' pipelines and the settings that differ from the baseline', () => {
    const windowed = { ...current, run: { ...current.run, config: { k: 8, pipeline: 'mmr,window:1' } } };
    const md = markdownReport({ current: windowed, baseline });
    // The baseline's config has no pipeline (stored before they were recorded): it reads as none.
    expect(md).toContain('Pipeline: baseline `none`, this run `mmr,window:1`. Settings that differ: pipeline none → mmr,window:1.');
    const html = htmlReport({ current: windowed, baseline });
    expect(html).toContain('Pipeline: baseline <strong>none</strong>, this run <strong>mmr,window:1</strong>. Settings that differ: pipeline none → mmr,window:1.');
    expect(markdownReport({ current, baseline })).toContain('Pipeline: baseline `none`, this run `none`.\n');
  });

  it('JSON: the run, its items and the comparison', () => {
    const json = JSON.parse(jsonReport({ current, baseline })) as { report: string; run: { id: string }; items: unknown[]; comparison: { metrics: Array<{ metric: string; wins: number }> } };
    expect(json.report).toBe('lore-eval');
    expect(json.run.id).toBe('rag-bbb222');
    expect(json.items).toHaveLength(3);
    expect(json.comparison.metrics[0]).toMatchObject({ metric: 'faithfulness', wins: 1 });
  });

  it('picks the format by extension', () => {
    expect(reportFormat('out.HTML')).toBe('html');
    expect(reportFormat('a/b.md')).toBe('md');
    expect(reportFormat('r.json')).toBe('json');
    expect(() => reportFormat('r.pdf')).toThrow(/\.html, \.md or \.json/);
  });
});
