import { binScores } from './svg-charts.js';
import { describeSettingChanges } from '../runs/compare-runs.js';
import { formatDelta, formatScore, metricValues, missingReason, reportData, type ReportInput } from './report-data.js';

const BLOCKS = '▁▂▃▄▅▆▇█';

/** A score distribution as a line of block characters, one per tenth of the range. */
export function sparkline(values: readonly number[]): string {
  const counts = binScores(values, 10);
  const max = Math.max(...counts);
  return counts.map((c) => (c === 0 ? '·' : BLOCKS[Math.min(BLOCKS.length - 1, Math.floor((c / max) * (BLOCKS.length - 1)))])).join('');
}

/** Table cells: no pipe, no line break. */
const md = (text: string, max = 120) => {
  const flat = text.replace(/\s+/g, ' ').trim().replaceAll('|', '\\|');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

/** The same report as Markdown, for a pull request comment or a CI summary. */
export function markdownReport(input: ReportInput): string {
  const { current, baseline, comparison, metricNames } = reportData(input);
  const { run } = current;
  const lines: string[] = [];
  lines.push(`# Lore ${run.kind === 'rag' ? 'RAG' : 'retrieval'} evaluation: ${run.name ? `${md(run.name)} (${run.id})` : run.id}`, '');
  lines.push(`${md(run.dataset)} · ${run.itemCount} items · ${run.createdAt} · test set \`${run.datasetHash.slice(0, 12)}\``, '');
  const settings = Object.entries(run.config).filter(([, v]) => v !== null && v !== undefined && typeof v !== 'object');
  if (settings.length) lines.push(settings.map(([k, v]) => `${k}: \`${md(String(v), 80)}\``).join(' · '), '');
  for (const n of run.notes) lines.push(`> ${md(n, 400)}`);
  if (run.notes.length) lines.push('');

  lines.push('## Metrics', '');
  const cmp = new Map(comparison?.metrics.map((m) => [m.metric, m]) ?? []);
  lines.push(`| metric | mean | scored | failed | skipped | distribution 0→1 |${comparison ? ' baseline | Δ | better / same / worse |' : ''}`);
  lines.push(`|---|---:|---:|---:|---:|---|${comparison ? '---:|---:|---:|' : ''}`);
  for (const m of metricNames) {
    const s = run.metrics[m]!;
    const c = cmp.get(m);
    lines.push(
      `| ${m} | ${formatScore(s.mean)} | ${s.scored} | ${s.failed} | ${s.skipped} | \`${sparkline(metricValues(current.items, m))}\` |${comparison ? ` ${formatScore(c?.a)} | ${formatDelta(c?.delta)} | ${c ? `${c.wins} / ${c.ties} / ${c.losses}` : '–'} |` : ''}`,
    );
  }
  lines.push('');
  if (comparison && baseline) {
    lines.push(`Compared with baseline ${baseline.run.name ? `${md(baseline.run.name)} (${baseline.run.id})` : baseline.run.id}: ${comparison.items.length} items in both${comparison.sameDataset ? ', same test set' : ', **different test sets**'}.`, '');
    lines.push(`Pipeline: baseline \`${md(comparison.a.pipeline)}\`, this run \`${md(comparison.b.pipeline)}\`.${comparison.settings.length ? ` Settings that differ: ${md(describeSettingChanges(comparison.settings), 400)}.` : ''}`, '');
    for (const n of comparison.notes) lines.push(`> ${md(n, 400)}`);
    if (comparison.notes.length) lines.push('');
  }

  lines.push(`## Per ${run.kind === 'rag' ? 'question' : 'query'}`, '');
  lines.push(`| id | ${run.kind === 'rag' ? 'question' : 'query'} | ${metricNames.join(' | ')} |`);
  lines.push(`|---|---|${metricNames.map(() => '---:').join('|')}|`);
  const deltas = new Map(comparison?.items.map((i) => [i.itemId, i]) ?? []);
  for (const item of current.items) {
    const cells = metricNames.map((m) => {
      const v = item.scores[m];
      const d = deltas.get(item.itemId)?.scores[m]?.delta;
      const value = typeof v === 'number' ? formatScore(v) : missingReason(item, m)?.kind === 'failed' ? 'failed' : '–';
      return comparison && d !== undefined && d !== null ? `${value} (${formatDelta(d)})` : value;
    });
    lines.push(`| ${md(item.itemId, 40)} | ${md(item.input)} | ${cells.join(' | ')} |`);
  }
  const failures = current.items.flatMap((item) =>
    metricNames.flatMap((m) => {
      const why = missingReason(item, m);
      return why?.kind === 'failed' ? [`- ${md(item.itemId, 40)} · ${m}: ${md(why.reason, 300)}`] : [];
    }),
  );
  if (failures.length) lines.push('', '## Failures', '', ...failures);
  return `${lines.join('\n')}\n`;
}
