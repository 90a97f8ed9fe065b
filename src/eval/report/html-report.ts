import type { EvalItem, StoredEvalRun } from '../../spec/eval-runs.js';
import { escapeXml as esc, histogramSvg, meansSvg, winLossSvg } from './svg-charts.js';
import { describeSettingChanges } from '../runs/compare-runs.js';
import { formatDelta, formatScore, metricValues, missingReason, reportData, type ReportInput } from './report-data.js';

const CSS = `
:root { color-scheme: light; --fg: #1f2937; --muted: #6b7280; --line: #e5e7eb; --bg: #ffffff; --soft: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 48px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK SC", "PingFang SC", sans-serif; color: var(--fg); background: var(--bg); }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
.meta { color: var(--muted); margin: 0; }
.notes { margin: 10px 0 0; padding-left: 18px; color: #92400e; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--soft); font-weight: 600; position: sticky; top: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.summary { width: auto; min-width: 50%; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
.chart { background: var(--soft); border-radius: 6px; padding: 6px; max-width: 100%; height: auto; }
.score { border-radius: 3px; }
.failed { color: #b91c1c; font-weight: 600; }
.skipped { color: var(--muted); }
.up { color: #15803d; } .down { color: #b91c1c; }
details summary { cursor: pointer; color: #1d4ed8; }
details div.block { margin: 6px 0; padding: 6px 8px; background: var(--soft); border-radius: 4px; white-space: pre-wrap; }
.question { min-width: 280px; max-width: 560px; }
.delta { font-size: 11px; color: var(--muted); }
.id { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; white-space: nowrap; }
pre { background: var(--soft); padding: 10px; border-radius: 6px; overflow: auto; font-size: 12px; }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
`;

/** Background of a score cell: red (0) through amber to green (1). */
function scoreColor(v: number): string {
  const hue = Math.round(v * 120);
  return `hsl(${hue} 70% 88%)`;
}

function runTitle(s: StoredEvalRun): string {
  return `${s.run.name ? `${s.run.name} · ` : ''}${s.run.id}`;
}

/** A score cell; with a comparison, the change from the baseline beneath the score. */
function cell(item: EvalItem, metric: string, delta?: number | null): string {
  const v = item.scores[metric];
  const change =
    delta === undefined ? '' : `<br><span class="delta ${delta === null ? '' : delta > 1e-9 ? 'up' : delta < -1e-9 ? 'down' : ''}" title="change from the baseline">${formatDelta(delta)}</span>`;
  if (typeof v === 'number' && Number.isFinite(v)) return `<td class="num"><span class="score" style="background:${scoreColor(v)}">&nbsp;${formatScore(v)}&nbsp;</span>${change}</td>`;
  const why = missingReason(item, metric);
  if (why?.kind === 'failed') return `<td class="num failed" title="${esc(why.reason)}">failed${change}</td>`;
  return `<td class="num skipped" title="${esc(why?.reason ?? 'not scored')}">–${change}</td>`;
}

function itemDetails(item: EvalItem, kind: StoredEvalRun['run']['kind']): string {
  const o = item.output;
  const blocks: string[] = [];
  if (kind === 'rag') {
    if (typeof o['answer'] === 'string') blocks.push(`<strong>Answer</strong><div class="block">${esc(o['answer'] || '(empty)')}</div>`);
    if (typeof o['reference'] === 'string') blocks.push(`<strong>Reference</strong><div class="block">${esc(o['reference'])}</div>`);
    const contexts = Array.isArray(o['contexts']) ? (o['contexts'] as Array<{ source?: string; text?: string }>) : [];
    if (contexts.length) {
      blocks.push(
        `<strong>Retrieved (${contexts.length})</strong>${contexts
          .map((c, i) => `<div class="block">[${i + 1}] ${esc(String(c.source ?? ''))}\n${esc(String(c.text ?? '').slice(0, 600))}${String(c.text ?? '').length > 600 ? '…' : ''}</div>`)
          .join('')}`,
      );
    }
    const failures = o['failures'] as Record<string, string> | undefined;
    if (failures) blocks.push(`<strong>Failures</strong><div class="block">${esc(Object.entries(failures).map(([m, r]) => `${m}: ${r}`).join('\n'))}</div>`);
  } else {
    const retrieved = Array.isArray(o['retrieved']) ? (o['retrieved'] as string[]) : [];
    blocks.push(`<strong>Top documents</strong><div class="block">${esc(retrieved.join(', ') || '(none)')}</div><div>relevant in the judgments: ${esc(String(o['relevant'] ?? '?'))}</div>`);
  }
  if (item.error) blocks.push(`<strong>Error</strong><div class="block">${esc(item.error)}</div>`);
  return `<details><summary>details</summary>${blocks.join('')}</details>`;
}

/**
 * A self-contained HTML report: inline CSS, inline SVG charts, no script, no external resource, so it
 * opens offline and can be attached to a CI run. With a baseline: means side by side, deltas, and the
 * items each run won.
 */
export function htmlReport(input: ReportInput): string {
  const data = reportData(input);
  const { current, baseline, comparison, metricNames } = data;
  const { run } = current;
  const title = `Lore ${run.kind === 'rag' ? 'RAG' : 'retrieval'} evaluation · ${runTitle(current)}`;
  const cmpBy = new Map(comparison?.metrics.map((m) => [m.metric, m]) ?? []);
  const configLine = Object.entries(run.config)
    .filter(([, v]) => v !== null && v !== undefined && typeof v !== 'object')
    .map(([k, v]) => `${esc(k)} <strong>${esc(String(v))}</strong>`)
    .join(' · ');

  const summaryRows = metricNames
    .map((m) => {
      const s = run.metrics[m]!;
      const c = cmpBy.get(m);
      const delta = c?.delta ?? null;
      const cls = delta === null ? '' : delta > 1e-9 ? 'up' : delta < -1e-9 ? 'down' : '';
      return `<tr><td>${esc(m)}</td><td class="num">${formatScore(s.mean)}</td><td class="num">${s.scored}</td><td class="num${s.failed ? ' failed' : ''}">${s.failed}</td><td class="num">${s.skipped}</td>${
        comparison ? `<td class="num">${formatScore(c?.a)}</td><td class="num ${cls}">${formatDelta(delta)}</td><td class="num">${c ? `${c.wins} / ${c.ties} / ${c.losses}` : '–'}</td>` : ''
      }</tr>`;
    })
    .join('');

  const histograms = metricNames
    .map((m) => histogramSvg({ title: m, values: metricValues(current.items, m), ...(baseline ? { baseline: metricValues(baseline.items, m) } : {}) }))
    .join('');

  let comparisonSection = '';
  if (comparison && baseline) {
    comparisonSection = `<section id="comparison"><h2>Compared with ${esc(runTitle(baseline))}</h2>
<p class="meta">Baseline ${esc(baseline.run.id)} (${esc(baseline.run.createdAt)}, ${baseline.items.length} items) → this run ${esc(run.id)}. ${comparison.items.length} items in both${
      comparison.sameDataset ? ', same test set.' : ', <strong>different test sets</strong>.'
    } Pipeline: baseline <strong>${esc(comparison.a.pipeline)}</strong>, this run <strong>${esc(comparison.b.pipeline)}</strong>.${
      comparison.settings.length ? ` Settings that differ: ${esc(describeSettingChanges(comparison.settings))}.` : ''
    }</p>${comparison.notes.length ? `<ul class="notes">${comparison.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
<div class="charts">${meansSvg({ title: 'Means: this run (bar) and baseline (thin bar)', bars: comparison.metrics.map((m) => ({ metric: m.metric, value: m.b, baseline: m.a })) })}${winLossSvg({
      title: 'Items better / unchanged / worse than the baseline',
      rows: comparison.metrics.map((m) => ({ metric: m.metric, wins: m.wins, ties: m.ties, losses: m.losses })),
    })}</div></section>`;
  }

  const deltaOf = new Map(comparison?.items.map((i) => [i.itemId, i]) ?? []);
  const itemRows = current.items
    .map((item) => {
      const cmp = deltaOf.get(item.itemId);
      const scores = metricNames.map((m) => cell(item, m, comparison ? (cmp?.scores[m]?.delta ?? null) : undefined)).join('');
      return `<tr><td class="id">${esc(item.itemId)}</td><td class="question">${esc(item.input)}${itemDetails(item, run.kind)}</td>${scores}</tr>`;
    })
    .join('\n');

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${esc(title)}</h1>
<p class="meta">${esc(run.dataset)} · ${run.itemCount} items · ${esc(run.createdAt)} · test set ${esc(run.datasetHash.slice(0, 12))}</p>
<p class="meta">${configLine}</p>
${run.notes.length ? `<ul class="notes">${run.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
</header>
<section id="summary"><h2>Metrics</h2>
<table class="summary"><thead><tr><th>metric</th><th class="num">mean</th><th class="num">scored</th><th class="num">failed</th><th class="num">skipped</th>${
    comparison ? '<th class="num">baseline</th><th class="num">Δ</th><th class="num">better / same / worse</th>' : ''
  }</tr></thead><tbody>${summaryRows}</tbody></table>
<p class="meta">Means are over the scored items; failed (judge or pipeline errors) and skipped (metric does not apply) items are counted, not averaged.</p>
</section>
<section id="distributions"><h2>Score distributions</h2><div class="charts">${histograms}</div></section>
${comparisonSection}
<section id="items"><h2>Per ${run.kind === 'rag' ? 'question' : 'query'}</h2>${comparison ? '<p class="meta">Under each score: its change from the baseline.</p>' : ''}
<table class="items"><thead><tr><th>id</th><th>${run.kind === 'rag' ? 'question' : 'query'}</th>${metricNames.map((m) => `<th class="num">${esc(m)}</th>`).join('')}</tr></thead>
<tbody>
${itemRows}
</tbody></table></section>
<section id="config"><h2>Settings</h2><pre>${esc(JSON.stringify(run.config, null, 2))}</pre></section>
<footer>Generated by Lore. Self-contained: no scripts, no external resources.</footer>
</body>
</html>
`;
}
