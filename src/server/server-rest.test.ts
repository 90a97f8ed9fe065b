import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSse, startTestServer, waitForJob, type TestServer } from './test-support/start-test-server.js';

const EN = readFileSync(new URL('../../examples/wind-turbine-maintenance.md', import.meta.url));
const ZH = readFileSync(new URL('../../examples/风力发电机维护手册.md', import.meta.url));

let s: TestServer;
const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

beforeAll(async () => {
  s = await startTestServer({ embedder: 'local' });
});
afterAll(async () => {
  await s?.stop();
});

describe('REST API', () => {
  let jobId = '';

  it('uploads a Markdown and a Chinese Markdown file and ingests them in the background', async () => {
    const form = new FormData();
    form.append('files', new Blob([EN]), 'wind-turbine-maintenance.md');
    form.append('files', new Blob([ZH]), '风力发电机维护手册.md');
    const res = await fetch(`${s.url}/api/collections/manuals/documents`, { method: 'POST', body: form });
    expect(res.status).toBe(202);
    const { job } = (await res.json()) as { job: { id: string; files: Array<{ name: string }> } };
    jobId = job.id;
    expect(job.files.map((f) => f.name)).toEqual(['wind-turbine-maintenance.md', '风力发电机维护手册.md']);

    // The progress stream sends the job after every change and ends when it is done.
    const events = await readSse(await fetch(`${s.url}/api/jobs/${jobId}/events`));
    const last = events.at(-1)!.data as { type: string; job: { status: string; progress: { filesDone: number } } };
    expect(events.every((e) => e.event === 'job')).toBe(true);
    expect(last.job.status).toBe('done');
    expect(last.job.progress.filesDone).toBe(2);

    const done = await waitForJob(s.url, jobId);
    expect((done['files'] as Array<{ status: string; documentId: string }>).every((f) => f.status === 'ready' && f.documentId)).toBe(true);
  });

  it('lists collections and documents with their status', async () => {
    const { collections } = (await (await fetch(`${s.url}/api/collections`)).json()) as { collections: Array<{ name: string; documentCount: number; embedder: string }> };
    expect(collections).toEqual([expect.objectContaining({ name: 'manuals', documentCount: 2, embedder: 'local:use-lite@1' })]);
    const { documents } = (await (await fetch(`${s.url}/api/collections/manuals/documents`)).json()) as { documents: Array<{ name: string; status: string; chunkCount: number }> };
    expect(documents.map((d) => [d.name, d.status])).toEqual(
      expect.arrayContaining([
        ['wind-turbine-maintenance.md', 'ready'],
        ['风力发电机维护手册.md', 'ready'],
      ]),
    );
    expect(documents.every((d) => d.chunkCount > 0)).toBe(true);
  });

  it('shows a failed upload in the document list with its error', async () => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array([0, 1, 2, 3, 0, 0, 0, 255, 254, 0])]), 'blob.bin');
    const { job } = (await (await fetch(`${s.url}/api/collections/manuals/documents`, { method: 'POST', body: form })).json()) as { job: { id: string } };
    const done = await waitForJob(s.url, job.id);
    expect(done['status']).toBe('failed');
    const { documents } = (await (await fetch(`${s.url}/api/collections/manuals/documents`)).json()) as { documents: Array<{ name: string; status: string; error: { code: string; message: string } | null }> };
    const failed = documents.find((d) => d.name === 'blob.bin')!;
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toMatch(/BINARY_FILE|UNSUPPORTED_FORMAT|ENCODING_ERROR/);
    expect(failed.error?.message).not.toContain(s.dir);

    // A good file under the same name clears the failure.
    const again = new FormData();
    again.append('file', new Blob(['# Blob\n\nNot binary after all.']), 'blob.bin');
    const second = (await (await fetch(`${s.url}/api/collections/manuals/documents`, { method: 'POST', body: again })).json()) as { job: { id: string } };
    expect((await waitForJob(s.url, second.job.id))['status']).toBe('done');
    const after = (await (await fetch(`${s.url}/api/collections/manuals/documents`)).json()) as { documents: Array<{ name: string; status: string; error: unknown; id: string }> };
    expect(after.documents.filter((d) => d.name === 'blob.bin')).toEqual([expect.objectContaining({ status: 'ready', error: null })]);
    expect((await fetch(`${s.url}/api/documents/${after.documents.find((d) => d.name === 'blob.bin')!.id}`, { method: 'DELETE' })).status).toBe(200);
  });

  it('searches keyword, vector and hybrid side by side', async () => {
    const res = await fetch(`${s.url}/api/search`, json({ query: 'how often is the gearbox oil replaced', modes: ['keyword', 'vector', 'hybrid'], k: 3 }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { results: Array<{ mode: string; hits: Array<{ text: string; collection: string }>; tookMs: number }> };
    expect(body.results.map((r) => r.mode)).toEqual(['keyword', 'vector', 'hybrid']);
    for (const r of body.results) {
      expect(r.hits.length).toBeGreaterThan(0);
      expect(r.hits[0]!.collection).toBe('manuals');
    }
    expect(body.results[0]!.hits[0]!.text).toMatch(/18 months/);

    const zh = (await (await fetch(`${s.url}/api/search`, json({ query: '齿轮油多久更换一次', collection: 'manuals' }))).json()) as { results: Array<{ hits: Array<{ text: string }>; notes: string[] }> };
    expect(zh.results[0]!.hits[0]!.text).toContain('齿轮');
    expect(zh.results[0]!.notes.join(' ')).toMatch(/language/);
  });

  it('validates requests against the schemas (400 with the issues)', async () => {
    const res = await fetch(`${s.url}/api/search`, json({ query: '', mode: 'fuzzy' }));
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { code: string; issues: Array<{ path: string }> } };
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.issues.map((i) => i.path).sort()).toEqual(['mode', 'query']);
    expect((await fetch(`${s.url}/api/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' })).status).toBe(400);
    expect((await fetch(`${s.url}/api/collections/nope/documents`)).status).toBe(404);
    expect((await fetch(`${s.url}/api/search`)).status).toBe(405);
  });

  it('streams an extractive answer as SSE and as NDJSON, with citations', async () => {
    const res = await fetch(`${s.url}/api/ask`, { ...json({ question: 'How often should the gearbox oil be replaced?', collection: 'manuals' }), headers: { 'content-type': 'application/json', accept: 'text/event-stream' } });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const events = await readSse(res);
    expect(events.map((e) => e.event)).toEqual(['hits', 'text', 'answer']);
    const { answer } = events[2]!.data as { answer: { text: string; mode: string; citations: Array<{ n: number; quote: string; documentId: number }> } };
    expect(answer.mode).toBe('extractive');
    expect(answer.text).toMatch(/18 months.*\[1\]/s);
    expect(answer.citations[0]!.quote).toMatch(/18 months/);

    // The citation opens its passage: the document's chunks around it (501 from a store that cannot read them back).
    const passage = await fetch(`${s.url}/api/documents/${answer.citations[0]!.documentId}/chunks?from=0&to=0`);
    if (passage.status !== 501) {
      expect(passage.status).toBe(200);
      expect(((await passage.json()) as { chunks: Array<{ text: string }> }).chunks).toHaveLength(1);
    }

    const nd = await fetch(`${s.url}/api/ask?format=ndjson`, json({ question: '齿轮油多久更换一次？', collection: 'manuals' }));
    expect(nd.headers.get('content-type')).toMatch(/application\/x-ndjson/);
    const lines = (await nd.text()).trim().split('\n').map((l) => JSON.parse(l) as { type: string; answer?: { text: string } });
    expect(lines.map((l) => l.type)).toEqual(['hits', 'text', 'answer']);
    expect(lines[2]!.answer!.text).toMatch(/十八个月/);
  });

  it('keeps conversations: create, ask (streamed), read back, list, delete', async () => {
    const created = await fetch(`${s.url}/api/sessions`, json({ collection: 'manuals', id: 'chat-1' }));
    expect(created.status).toBe(201);
    expect((await fetch(`${s.url}/api/sessions`, json({ id: 'chat-1' }))).status).toBe(409);
    const turn = await readSse(await fetch(`${s.url}/api/sessions/chat-1/messages`, json({ question: 'How often should the gearbox oil be replaced?' })));
    expect(turn.map((e) => e.event)).toEqual(['text', 'hits', 'answer']);
    const detail = (await (await fetch(`${s.url}/api/sessions/chat-1`)).json()) as { session: { title: string; turnCount: number }; turns: Array<{ role: string; citations: unknown[] }> };
    expect(detail.session.turnCount).toBe(2);
    expect(detail.session.title).toMatch(/gearbox/);
    expect(detail.turns[1]!.citations.length).toBeGreaterThan(0);
    const { sessions } = (await (await fetch(`${s.url}/api/sessions`)).json()) as { sessions: Array<{ id: string }> };
    expect(sessions.map((x) => x.id)).toContain('chat-1');
    expect((await fetch(`${s.url}/api/sessions/chat-1`, { method: 'DELETE' })).status).toBe(200);
    expect((await fetch(`${s.url}/api/sessions/chat-1`)).status).toBe(404);
  });

  it('re-ingests and deletes a document; traces answer with a note', async () => {
    const { documents } = (await (await fetch(`${s.url}/api/collections/manuals/documents`)).json()) as { documents: Array<{ id: string; name: string }> };
    const doc = documents.find((d) => d.name === 'wind-turbine-maintenance.md')!;
    const re = await fetch(`${s.url}/api/documents/${doc.id}/reingest`, { method: 'POST' });
    expect(re.status).toBe(202);
    const { job } = (await re.json()) as { job: { id: string } };
    expect((await waitForJob(s.url, job.id))['status']).toBe('done');
    expect((await fetch(`${s.url}/api/documents/${doc.id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await fetch(`${s.url}/api/documents/${doc.id}`)).status).toBe(404);
    // This server was started without tracing: nothing recorded, and the answer says so.
    const traces = (await (await fetch(`${s.url}/api/traces`)).json()) as { traces: unknown[]; note?: string };
    expect(traces.traces).toEqual([]);
    expect(traces.note).toMatch(/records no new traces/);
  });

  it('answers operations endpoints: health, readiness, metrics, and the placeholder page with the CSP', async () => {
    expect(await (await fetch(`${s.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = (await (await fetch(`${s.url}/readyz`)).json()) as { status: string; checks: Record<string, { ok: boolean }> };
    expect(ready.status).toBe('ready');
    expect(ready.checks['embedder']!.ok).toBe(true);
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    expect(metrics).toMatch(/lore_http_requests_total\{method="POST",route="\/api\/search",status="200"\} \d+/);
    expect(metrics).toContain('lore_http_request_duration_seconds_bucket');
    expect(metrics).toContain('lore_work_queue_waiting');
    expect(metrics).toContain('lore_ingest_jobs{state="done"}');
    const page = await fetch(`${s.url}/`);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'; style-src 'self'/);
    expect(page.headers.get('content-security-policy')).toMatch(/img-src 'self' data:/);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    // The built web UI (web/dist) or, before it is built, the placeholder: either way no inline script or style.
    const html = await page.text();
    expect(html).toMatch(/<title>Lore/);
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>|\sstyle=/);
  });
});
