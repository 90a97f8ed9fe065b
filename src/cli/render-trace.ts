import type { TraceDetail, TraceSpan, TraceSummary } from '../trace/read-traces.js';
import { displayPath, oneLine, table } from './format.js';

const BAR_WIDTH = 30;

export function formatDuration(ms: number): string {
  if (ms >= 60_000) return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

export function formatCost(usd: number | null | undefined): string {
  if (usd === null || usd === undefined) return '';
  return usd === 0 ? '$0' : usd < 0.01 ? `$${usd.toFixed(6)}` : `$${usd.toFixed(4)}`;
}

function tokens(input: unknown, output: unknown): string {
  return typeof input === 'number' || typeof output === 'number' ? `${Number(input ?? 0)}→${Number(output ?? 0)}` : '';
}

/** Where in the trace a step ran: blank up to its start, a block as long as it took (at least a sliver). */
function bar(span: TraceSpan, total: number): string {
  if (total <= 0) return '│' + '█'.repeat(BAR_WIDTH) + '│';
  const start = Math.min(BAR_WIDTH - 1, Math.max(0, Math.floor((span.startMs / total) * BAR_WIDTH)));
  const exact = (span.durationMs / total) * BAR_WIDTH;
  const length = Math.min(BAR_WIDTH - start, Math.max(1, Math.round(exact)));
  const fill = exact < 0.5 ? '▏' : '█'.repeat(length);
  return '│' + ' '.repeat(start) + fill + ' '.repeat(BAR_WIDTH - start - fill.length) + '│';
}

/** The few attributes that say what a step worked on, in a dozen characters or so. */
function detail(span: TraceSpan): string {
  const a = span.attributes;
  const parts: string[] = [];
  if (typeof a['lore.source'] === 'string') parts.push(displayPath(a['lore.source']));
  if (typeof a['lore.outcome'] === 'string') parts.push(a['lore.outcome']);
  const count = (key: string, noun: string) => {
    const n = a[key];
    if (typeof n === 'number') parts.push(`${n} ${noun}${n === 1 ? '' : 's'}`);
  };
  count('lore.hits', 'hit');
  count('lore.chunks', 'chunk');
  count('lore.texts', 'text');
  if (typeof a['lore.time_to_first_token_ms'] === 'number') parts.push(`first token ${formatDuration(a['lore.time_to_first_token_ms'])}`);
  const finish = a['gen_ai.response.finish_reasons'];
  if (Array.isArray(finish) && finish[0] && finish[0] !== 'stop') parts.push(`finish ${String(finish[0])}`);
  return oneLine(parts.join(', '), 60);
}

/** A trace as a tree with timings, tokens, cost and a timeline bar per step; failures listed below it. */
export function renderTrace(detailOfTrace: TraceDetail): string {
  const { trace, spans } = detailOfTrace;
  const rows: string[][] = [['STEP', 'TIME', 'TOKENS', 'COST', 'DETAIL', 'TIMELINE']];
  const failures: string[] = [];
  const walk = (span: TraceSpan, prefix: string, childPrefix: string) => {
    const failed = span.status === 'error';
    if (failed) failures.push(`  ${span.name}: ${span.statusMessage ?? 'failed'}`);
    rows.push([
      `${prefix}${span.name}${failed ? ' ✗' : ''}`,
      formatDuration(span.durationMs),
      tokens(span.attributes['gen_ai.usage.input_tokens'], span.attributes['gen_ai.usage.output_tokens']),
      formatCost(typeof span.attributes['lore.cost_usd'] === 'number' ? span.attributes['lore.cost_usd'] : undefined),
      detail(span),
      bar(span, trace.durationMs),
    ]);
    span.children.forEach((child, i) => {
      const last = i === span.children.length - 1;
      walk(child, `${childPrefix}${last ? '└─ ' : '├─ '}`, `${childPrefix}${last ? '   ' : '│  '}`);
    });
  };
  for (const root of spans) walk(root, '', '');
  const header = [
    trace.name,
    trace.traceId,
    trace.startedAt.replace('T', ' ').slice(0, 19),
    formatDuration(trace.durationMs),
    trace.status === 'error' ? 'FAILED' : 'ok',
    `${trace.spanCount} spans`,
    trace.inputTokens || trace.outputTokens ? `${trace.inputTokens} in / ${trace.outputTokens} out tokens` : '',
    formatCost(trace.costUsd),
    trace.collection ? `[${trace.collection}]` : '',
  ]
    .filter(Boolean)
    .join('  ·  ');
  return [header, '', table(rows), ...(failures.length ? ['', 'Failed:', ...failures] : [])].join('\n');
}

/** The list `lore traces` prints. */
export function renderTraceList(traces: TraceSummary[]): string {
  return table([
    ['ID', 'STARTED', 'NAME', 'TIME', 'SPANS', 'TOKENS', 'COST', 'STATUS', 'COLLECTION'],
    ...traces.map((t) => [
      t.traceId.slice(0, 12),
      t.startedAt.replace('T', ' ').slice(0, 19),
      oneLine(t.name, 40),
      formatDuration(t.durationMs),
      String(t.spanCount),
      t.inputTokens || t.outputTokens ? `${t.inputTokens}→${t.outputTokens}` : '',
      formatCost(t.costUsd),
      t.status === 'error' ? 'FAILED' : 'ok',
      t.collection ?? '',
    ]),
  ]);
}
