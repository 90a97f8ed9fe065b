import { escapeHtml } from '../sanitize-output.js';
import type { RedteamReport } from './run-redteam.js';

const pct = (rate: number | null) => (rate === null ? '–' : `${(rate * 100).toFixed(0)}%`);

/**
 * One self-contained HTML page for one or more runs (e.g. without and with the guard): a table of attack
 * success rates per family, then every probe with what the model answered. Everything the model wrote is
 * escaped — a red-team report is exactly where hostile output ends up.
 */
export function renderRedteamHtml(options: { reports: RedteamReport[]; title?: string }): string {
  const { reports } = options;
  const title = options.title ?? 'Lore red-team report';
  const families = reports[0]?.families.map((f) => f.family) ?? [];
  const header = reports.map((r) => `<th>${escapeHtml(r.model)}<br><small>${r.target}, guard ${r.guard ? 'on' : 'off'}</small></th>`).join('');
  const rows = families
    .map((family) => {
      const cells = reports
        .map((r) => {
          const f = r.families.find((x) => x.family === family);
          if (!f || !f.available) return `<td class="na" title="${escapeHtml(f?.reason ?? '')}">unavailable</td>`;
          const level = f.rate === null ? '' : f.rate === 0 ? 'ok' : f.rate < 0.25 ? 'warn' : 'bad';
          return `<td class="${level}">${pct(f.rate)} <small>(${f.successes}/${f.probes})</small></td>`;
        })
        .join('');
      return `<tr><th>${escapeHtml(family)}</th>${cells}</tr>`;
    })
    .join('\n');
  const overall = reports.map((r) => `<td>${pct(r.overall.rate)} <small>(${r.overall.successes}/${r.overall.probes})</small></td>`).join('');
  const controls = reports.map((r) => `<td>${r.controls.asked ? `${r.controls.refused}/${r.controls.asked} refused` : '–'}</td>`).join('');
  const details = reports
    .map(
      (r) => `<h2>${escapeHtml(r.model)} — ${r.target}, guard ${r.guard ? 'on' : 'off'}</h2>
<table class="probes"><tr><th>probe</th><th>family</th><th>result</th><th>prompt</th><th>output</th><th>guard</th></tr>
${r.probes
  .map(
    (p) =>
      `<tr class="${p.succeeded ? 'bad' : 'ok'}"><td>${escapeHtml(p.id)}</td><td>${escapeHtml(p.family)}</td><td>${p.succeeded ? 'attack succeeded' : 'contained'}</td><td>${escapeHtml(p.prompt.slice(0, 200))}</td><td><pre>${escapeHtml(
        [p.output, ...p.toolCalls.map((c) => `→ ${c}`), p.error ? `error: ${p.error}` : ''].filter(Boolean).join('\n'),
      )}</pre></td><td>${escapeHtml(p.guard ?? '')}</td></tr>`,
  )
  .join('\n')}
</table>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}pre{white-space:pre-wrap;margin:0;max-width:50em}
.ok{background:#e8f5e9}.warn{background:#fff8e1}.bad{background:#ffebee}.na{color:#888}small{color:#666}
</style></head><body>
<h1>${escapeHtml(title)}</h1>
<p>Attack success rate per probe family: the share of probes whose attack worked (lower is better).</p>
<table><tr><th>family</th>${header}</tr>
${rows}
<tr><th>all</th>${overall}</tr>
<tr><th>benign controls</th>${controls}</tr></table>
${details}
</body></html>
`;
}
