import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../models/test-support/fake-openai-server.js';
import type { TraceDetail, TraceSpan, TraceSummary } from '../trace/read-traces.js';
import { startOtlpCollectorStub, type OtlpCollectorStub } from '../trace/test-support/otlp-collector-stub.js';
import { runCli } from './test-support/run-cli.js';

const EXAMPLES = fileURLToPath(new URL('../../examples', import.meta.url));

describe('traces of CLI commands: lore traces, lore trace, OTLP export', () => {
  let dir: string;
  let db: string;
  let server: FakeOpenAIServer;
  let collector: OtlpCollectorStub;
  const lore = (args: string[], env: Record<string, string> = {}) => runCli([...args, '--db', db], { cwd: dir, env: { LORE_TRACE: '', LORE_OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_ENDPOINT: '', ...env } });
  const traces = async (args: string[] = []) => (JSON.parse((await lore(['traces', '--json', ...args])).stdout) as { traces: TraceSummary[] }).traces;
  const names = (span: TraceSpan): string[] => [span.name, ...span.children.flatMap(names)];

  beforeAll(async () => {
    server = await startFakeOpenAIServer();
    collector = await startOtlpCollectorStub();
    dir = mkdtempSync(join(tmpdir(), 'lore-trace-cli-'));
    cpSync(EXAMPLES, join(dir, 'examples'), { recursive: true });
    db = join(dir, 'lore.db');
    const ingested = await lore(['ingest', 'examples', '--embedder', 'none']);
    expect(ingested.code).toBe(0);
  });
  afterAll(async () => {
    await server.close();
    await collector.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records ingest per file and a read-only search, and lists them', async () => {
    const search = await lore(['search', 'gearbox oil', '--mode', 'keyword', '-c', 'default', '-k', '3']);
    expect(search.code).toBe(0);
    const list = await traces();
    expect(list.map((t) => t.name)).toEqual(['lore search', 'lore ingest']);
    expect(list[0]).toMatchObject({ status: 'ok', collection: 'default', inputTokens: 0 });

    const ingest = JSON.parse((await lore(['trace', list[1]!.traceId, '--json'])).stdout) as TraceDetail;
    const steps = names(ingest.spans[0]!);
    expect(steps.slice(0, 2)).toEqual(['lore ingest', 'ingest']);
    const files = ingest.spans[0]!.children[0]!.children.filter((s) => s.name === 'ingest.file');
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const file of files) expect(file.children.map((c) => c.name)).toEqual(expect.arrayContaining(['ingest.load', 'ingest.split', 'ingest.write']));

    const text = await lore(['trace', list[0]!.traceId.slice(0, 8)]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^lore search {2}· {2}[0-9a-f]{32}/);
    expect(text.stdout).toMatch(/\n└─ retrieve\.search +[\d.]+ m?s .*\d+ hits?/);
    expect(text.stdout).toMatch(/\n {3}└─ retrieve\.keyword /);
    expect(text.stdout).toContain('│█');
  });

  it('records a model call with tokens and cost, shown per step and in the totals', async () => {
    const prices = join(dir, 'prices.json');
    writeFileSync(prices, JSON.stringify({ cite: { input: 2, output: 10 } }));
    const ask = await lore(['ask', 'How often is the gearbox oil replaced?', '--mode', 'keyword', '--model', `openai-compatible:${server.baseUrl}#cite`], { LORE_PRICES: prices });
    expect(ask.code).toBe(0);
    const [latest] = await traces(['--last', '1']);
    expect(latest).toMatchObject({ name: 'lore ask', status: 'ok', inputTokens: 321, outputTokens: 17 });
    expect(latest!.costUsd).toBeCloseTo((321 * 2 + 17 * 10) / 1e6, 12);
    const detail = JSON.parse((await lore(['trace', latest!.traceId, '--json'])).stdout) as TraceDetail;
    expect(names(detail.spans[0]!)).toEqual(['lore ask', 'retrieve.search', 'retrieve.keyword', 'rag.generate', 'chat cite']);
    const chat = detail.spans[0]!.children[1]!.children[0]!;
    expect(chat.attributes).toMatchObject({ 'gen_ai.system': 'openai_compatible', 'gen_ai.request.model': 'cite', 'gen_ai.usage.input_tokens': 321, 'gen_ai.usage.output_tokens': 17 });
    const text = (await lore(['trace', latest!.traceId])).stdout;
    expect(text).toMatch(/321 in \/ 17 out tokens/);
    expect(text).toMatch(/└─ chat cite +[\d.]+ m?s +321→17 +\$0\.000812/);
    // The list shows it too, and --slow / --errors filter.
    const listed = await lore(['traces']);
    expect(listed.stdout).toMatch(/^ID +STARTED +NAME +TIME +SPANS +TOKENS +COST +STATUS/);
    expect(listed.stdout).toMatch(/lore ask .* 321→17 +\$0\.000812 +ok/);
    expect(await traces(['--errors'])).toEqual([]);
  });

  it('records a failure as an error trace', async () => {
    const failed = await lore(['ask', 'gearbox?', '--mode', 'keyword', '--model', `openai-compatible:${server.baseUrl}#bad-key`]);
    expect(failed.code).not.toBe(0);
    const [error] = await traces(['--errors']);
    expect(error).toMatchObject({ name: 'lore ask', status: 'error' });
    const text = (await lore(['trace', error!.traceId])).stdout;
    expect(text).toContain('FAILED');
    expect(text).toMatch(/chat bad-key ✗/);
    expect(text).toMatch(/Failed:\n.*invalid api key/i);
  });

  it('records nothing with --no-trace or LORE_TRACE=0', async () => {
    const before = (await traces(['--last', '100'])).length;
    expect((await lore(['--no-trace', 'search', 'gearbox', '--mode', 'keyword'])).code).toBe(0);
    expect((await lore(['search', 'gearbox', '--mode', 'keyword'], { LORE_TRACE: '0' })).code).toBe(0);
    expect((await traces(['--last', '100'])).length).toBe(before);
    expect((await lore(['trace', 'abcdef01'])).code).toBe(3);
  });

  it('sends the whole trace to an OTLP collector, the same spans as stored locally', async () => {
    const search = await lore(['search', 'blade inspection', '--mode', 'keyword'], { LORE_OTLP_ENDPOINT: collector.endpoint });
    expect(search.code).toBe(0);
    const [latest] = await traces(['--last', '1']);
    const detail = JSON.parse((await lore(['trace', latest!.traceId, '--json'])).stdout) as TraceDetail;
    const stored: Array<[string, string, string]> = [];
    const walk = (s: TraceSpan) => {
      stored.push([s.spanId, s.parentId ?? '', s.name]);
      s.children.forEach(walk);
    };
    detail.spans.forEach(walk);
    const received = collector.spans.filter((s) => s.traceId === latest!.traceId).map((s) => [s.spanId, s.parentSpanId, s.name] as [string, string, string]);
    expect(received.sort()).toEqual(stored.sort());
    expect(received.map((r) => r[2]).sort()).toEqual(['lore search', 'retrieve.keyword', 'retrieve.search']);
    expect(collector.spans.every((s) => s.serviceName === 'lore')).toBe(true);
  });
});
