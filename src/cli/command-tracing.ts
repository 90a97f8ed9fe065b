import type { Command } from 'commander';
import type { RootSpan } from '../trace/root-span.js';
import type { Tracing } from '../trace/start-tracing.js';
import { resolveDbPath, type GlobalOptions } from './main.js';

/** Traced unless turned off; other commands only with LORE_TRACE=1. */
const TRACED_BY_DEFAULT = new Set(['agent', 'ask', 'chat', 'ingest', 'search', 'serve']);
/**
 * Long-running commands get no root span: a chat session or a server would be one trace that never ends
 * (nothing visible until exit). Their units of work, a chat turn or a request's search and answer, are each
 * a trace of their own.
 */
const NO_ROOT_SPAN = new Set(['chat', 'serve']);
/** Reading traces records none. */
const NEVER_TRACED = new Set(['traces', 'trace']);

let running: { tracing: Tracing; root: RootSpan | undefined } | undefined;

type Env = Record<string, string | undefined>;

/** LORE_TRACE: 0/false/off turns tracing off everywhere, 1/true/on turns it on for every command. */
function traceSwitch(env: Env): boolean | undefined {
  const value = env['LORE_TRACE']?.trim().toLowerCase();
  if (!value) return undefined;
  if (['0', 'false', 'off', 'no'].includes(value)) return false;
  if (['1', 'true', 'on', 'yes'].includes(value)) return true;
  return undefined;
}

/** `k=v,k2=v2` with URL-encoded values, as OTEL_EXPORTER_OTLP_HEADERS is written. */
export function parseOtlpHeaders(text: string | undefined): Record<string, string> | undefined {
  if (!text?.trim()) return undefined;
  const headers: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    headers[decodeURIComponent(pair.slice(0, eq).trim())] = decodeURIComponent(pair.slice(eq + 1).trim());
  }
  return headers;
}

/**
 * Where spans go over OTLP/HTTP: LORE_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT is the collector's base
 * address (`/v1/traces` is appended, as the OpenTelemetry convention has it), OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
 * the full URL. Headers (an observability vendor's key) from LORE_OTLP_HEADERS or the OTEL_ variables.
 */
export function otlpFromEnvironment(env: Env): { url?: string; headers?: Record<string, string> } {
  const full = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']?.trim();
  const base = (env['LORE_OTLP_ENDPOINT'] || env['OTEL_EXPORTER_OTLP_ENDPOINT'])?.trim();
  const url = full || (base ? (/\/v1\/traces\/?$/.test(base) ? base : `${base.replace(/\/+$/, '')}/v1/traces`) : undefined);
  const headers = parseOtlpHeaders(env['LORE_OTLP_HEADERS'] || env['OTEL_EXPORTER_OTLP_TRACES_HEADERS'] || env['OTEL_EXPORTER_OTLP_HEADERS']);
  return { ...(url ? { url } : {}), ...(headers ? { headers } : {}) };
}

function commandPath(command: Command): string[] {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names;
}

function positiveNumber(value: string | undefined): number | undefined {
  const n = Number(value);
  return value?.trim() && Number.isFinite(n) && n > 0 ? n : undefined;
}

/**
 * Starts tracing for the command about to run (commander's preAction hook) when it is on: by default for
 * agent, ask, chat, ingest, search and serve; never with --no-trace or LORE_TRACE=0. Spans are stored in the
 * command's database through a connection of their own (so read-only commands store them too) and sent to
 * an OTLP collector when one is configured. The SDK is loaded only then: commands without tracing pay nothing.
 */
export async function beginCommandTrace(command: Command): Promise<void> {
  if (running) return;
  const path = commandPath(command);
  const top = path[0] ?? '';
  const global = command.optsWithGlobals<GlobalOptions & { trace?: boolean }>();
  const env = process.env;
  const on = global.trace !== false && !NEVER_TRACED.has(top) && (traceSwitch(env) ?? TRACED_BY_DEFAULT.has(top));
  if (!on) return;
  const [{ startTracing }, { startRootSpan }] = await Promise.all([import('../trace/start-tracing.js'), import('../trace/root-span.js')]);
  const otlp = otlpFromEnvironment(env);
  const tracing = await startTracing({
    serviceName: 'lore',
    serviceVersion: '0.1.0',
    dbPath: resolveDbPath(global),
    otlpUrl: otlp.url,
    otlpHeaders: otlp.headers,
    otlpTimeoutMs: 5000,
    recordContent: traceSwitch({ LORE_TRACE: env['LORE_TRACE_CONTENT'] }) === true,
    keep: positiveNumber(env['LORE_TRACE_KEEP']),
    maxAgeDays: positiveNumber(env['LORE_TRACE_MAX_AGE_DAYS']),
  });
  const collection = command.opts()['collection'];
  const root = NO_ROOT_SPAN.has(top)
    ? undefined
    : startRootSpan({ name: `lore ${path.join(' ')}`, attributes: { 'lore.command': path.join(' '), ...(typeof collection === 'string' ? { 'lore.collection': collection } : {}) } });
  running = { tracing, root };
}

/** Ends the command's root span and writes out every span (main calls it once the command is over). */
export async function endCommandTrace(options: { exitCode?: number; error?: unknown }): Promise<void> {
  const current = running;
  if (!current) return;
  running = undefined;
  current.root?.end(options);
  await current.tracing.shutdown();
}
