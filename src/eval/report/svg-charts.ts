/**
 * Charts as inline SVG strings, drawn here so a report needs no script and no network: histograms of a
 * metric's scores, bars of means, and win/tie/loss bars for a comparison. Every text is escaped; every
 * chart carries a <title> for screen readers.
 */

export const COLORS = { current: '#2f6fdf', baseline: '#9aa4b2', win: '#2e9e5b', loss: '#d64545', tie: '#b8bec8', axis: '#6b7280', text: '#1f2937' } as const;

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const fmt = (n: number) => (Math.round(n * 1000) / 1000).toString();

/** Counts of scores in `bins` equal bins over [0, 1]; 1.0 falls in the last bin. Non-finite values are ignored. */
export function binScores(values: readonly number[], bins = 10): number[] {
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    const i = Math.min(bins - 1, Math.max(0, Math.floor(v * bins)));
    counts[i]!++;
  }
  return counts;
}

export interface HistogramOptions {
  title: string;
  values: readonly number[];
  /** The baseline run's scores, drawn as outlined bars beside each bin. */
  baseline?: readonly number[];
  bins?: number;
}

/** A histogram of scores in [0, 1]: one bar per bin, its count above it, the baseline's bars beside. */
export function histogramSvg(o: HistogramOptions): string {
  const bins = o.bins ?? 10;
  const width = 340;
  const height = 190;
  const pad = { left: 34, right: 10, top: 26, bottom: 34 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const counts = binScores(o.values, bins);
  const base = o.baseline ? binScores(o.baseline, bins) : undefined;
  const max = Math.max(1, ...counts, ...(base ?? []));
  const slot = plotW / bins;
  const barW = base ? slot * 0.4 : slot * 0.8;
  const parts: string[] = [];
  parts.push(`<title>${escapeXml(`${o.title}: distribution of ${o.values.length} scores`)}</title>`);
  parts.push(`<text x="${pad.left}" y="16" class="chart-title" fill="${COLORS.text}" font-size="13" font-weight="600">${escapeXml(o.title)}</text>`);
  // Axis and ticks.
  const y0 = pad.top + plotH;
  parts.push(`<line x1="${pad.left}" y1="${y0}" x2="${pad.left + plotW}" y2="${y0}" stroke="${COLORS.axis}" stroke-width="1"/>`);
  for (let i = 0; i <= bins; i += bins >= 10 ? 2 : 1) {
    const x = pad.left + i * slot;
    parts.push(`<line x1="${x}" y1="${y0}" x2="${x}" y2="${y0 + 4}" stroke="${COLORS.axis}"/>`);
    parts.push(`<text x="${x}" y="${y0 + 16}" font-size="10" text-anchor="middle" fill="${COLORS.axis}">${fmt(i / bins)}</text>`);
  }
  parts.push(`<text x="${pad.left - 6}" y="${pad.top + 4}" font-size="10" text-anchor="end" fill="${COLORS.axis}">${max}</text>`);
  parts.push(`<text x="${pad.left - 6}" y="${y0}" font-size="10" text-anchor="end" fill="${COLORS.axis}">0</text>`);
  const bar = (count: number, x: number, kind: 'current' | 'baseline', lo: number) => {
    const h = (count / max) * plotH;
    const y = y0 - h;
    const label = `${kind === 'current' ? 'this run' : 'baseline'}: ${count} item${count === 1 ? '' : 's'} scored ${fmt(lo)}–${fmt(lo + 1 / bins)}`;
    const style = kind === 'current' ? `fill="${COLORS.current}"` : `fill="#ffffff" stroke="${COLORS.baseline}" stroke-width="1.5"`;
    parts.push(`<rect class="bar ${kind}" x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barW.toFixed(1)}" height="${Math.max(h, count > 0 ? 1 : 0).toFixed(1)}" ${style}><title>${escapeXml(label)}</title></rect>`);
    if (count > 0) parts.push(`<text x="${(x + barW / 2).toFixed(1)}" y="${(y - 3).toFixed(1)}" font-size="9" text-anchor="middle" fill="${COLORS.text}">${count}</text>`);
  };
  counts.forEach((count, i) => {
    const lo = i / bins;
    const left = pad.left + i * slot + (slot - (base ? barW * 2 : barW)) / 2;
    if (base) {
      bar(base[i] ?? 0, left, 'baseline', lo);
      bar(count, left + barW, 'current', lo);
    } else bar(count, left, 'current', lo);
  });
  parts.push(`<text x="${pad.left + plotW / 2}" y="${height - 4}" font-size="10" text-anchor="middle" fill="${COLORS.axis}">score</text>`);
  return `<svg class="chart histogram" xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">${parts.join('')}</svg>`;
}

export interface MeanBar {
  metric: string;
  value: number | null;
  baseline?: number | null;
}

/** Horizontal bars of each metric's mean (and the baseline's, thinner, beneath it). */
export function meansSvg(o: { title: string; bars: readonly MeanBar[] }): string {
  const rowH = o.bars.some((b) => b.baseline !== undefined) ? 34 : 24;
  const labelW = 150;
  const plotW = 300;
  const width = labelW + plotW + 60;
  const height = 30 + rowH * o.bars.length + 10;
  const parts: string[] = [`<title>${escapeXml(o.title)}</title>`, `<text x="0" y="16" font-size="13" font-weight="600" fill="${COLORS.text}">${escapeXml(o.title)}</text>`];
  o.bars.forEach((b, i) => {
    const y = 30 + i * rowH;
    parts.push(`<text x="${labelW - 8}" y="${y + 12}" font-size="11" text-anchor="end" fill="${COLORS.text}">${escapeXml(b.metric)}</text>`);
    parts.push(`<rect x="${labelW}" y="${y + 2}" width="${plotW}" height="14" fill="#eef1f5"/>`);
    if (b.value !== null) {
      parts.push(`<rect class="bar current" x="${labelW}" y="${y + 2}" width="${(b.value * plotW).toFixed(1)}" height="14" fill="${COLORS.current}"><title>${escapeXml(`${b.metric}: ${fmt(b.value)}`)}</title></rect>`);
    }
    parts.push(`<text x="${labelW + plotW + 6}" y="${y + 13}" font-size="11" fill="${COLORS.text}">${b.value === null ? 'n/a' : fmt(b.value)}</text>`);
    if (b.baseline !== undefined) {
      if (b.baseline !== null) {
        parts.push(`<rect class="bar baseline" x="${labelW}" y="${y + 19}" width="${(b.baseline * plotW).toFixed(1)}" height="7" fill="${COLORS.baseline}"><title>${escapeXml(`${b.metric}, baseline: ${fmt(b.baseline)}`)}</title></rect>`);
      }
      parts.push(`<text x="${labelW + plotW + 6}" y="${y + 27}" font-size="9" fill="${COLORS.axis}">${b.baseline === null ? 'n/a' : fmt(b.baseline)}</text>`);
    }
  });
  return `<svg class="chart means" xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">${parts.join('')}</svg>`;
}

export interface WinLossRow {
  metric: string;
  wins: number;
  ties: number;
  losses: number;
}

/** Per metric, one bar split into the items the run won, tied and lost against the baseline. */
export function winLossSvg(o: { title: string; rows: readonly WinLossRow[] }): string {
  const labelW = 150;
  const plotW = 300;
  const width = labelW + plotW + 120;
  const rowH = 24;
  const height = 30 + rowH * o.rows.length + 24;
  const parts: string[] = [`<title>${escapeXml(o.title)}</title>`, `<text x="0" y="16" font-size="13" font-weight="600" fill="${COLORS.text}">${escapeXml(o.title)}</text>`];
  o.rows.forEach((r, i) => {
    const y = 30 + i * rowH;
    const total = r.wins + r.ties + r.losses;
    parts.push(`<text x="${labelW - 8}" y="${y + 12}" font-size="11" text-anchor="end" fill="${COLORS.text}">${escapeXml(r.metric)}</text>`);
    let x = labelW;
    for (const [kind, count] of [['win', r.wins], ['tie', r.ties], ['loss', r.losses]] as const) {
      if (total === 0 || count === 0) continue;
      const w = (count / total) * plotW;
      parts.push(`<rect class="bar ${kind}" x="${x.toFixed(1)}" y="${y + 2}" width="${w.toFixed(1)}" height="14" fill="${COLORS[kind]}"><title>${escapeXml(`${r.metric}: ${count} ${kind === 'win' ? 'better' : kind === 'loss' ? 'worse' : 'unchanged'}`)}</title></rect>`);
      x += w;
    }
    if (total === 0) parts.push(`<rect x="${labelW}" y="${y + 2}" width="${plotW}" height="14" fill="#eef1f5"/>`);
    parts.push(`<text x="${labelW + plotW + 6}" y="${y + 13}" font-size="11" fill="${COLORS.text}">+${r.wins} =${r.ties} −${r.losses}</text>`);
  });
  const ly = height - 8;
  let lx = labelW;
  for (const [kind, label] of [['win', 'better'], ['tie', 'unchanged'], ['loss', 'worse']] as const) {
    parts.push(`<rect x="${lx}" y="${ly - 9}" width="10" height="10" fill="${COLORS[kind]}"/><text x="${lx + 14}" y="${ly}" font-size="10" fill="${COLORS.axis}">${label}</text>`);
    lx += 90;
  }
  return `<svg class="chart winloss" xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">${parts.join('')}</svg>`;
}
