import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../cli/test-support/run-cli.js';
import { startScriptedOpenAIServer, type ScriptedOpenAIServer } from '../models/test-support/scripted-openai-server.js';
import { startPgliteVectorServer, type PgliteVectorServer } from '../store/postgres/test-support/pglite-vector-server.js';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));

interface Served {
  child: ChildProcess;
  url: string;
  stderr: () => string;
}

/**
 * Two real `lore serve` processes on one PostgreSQL (PGlite with pgvector, served over the wire protocol),
 * as two replicas behind a load balancer would be: a key made once opens both, a document uploaded to one
 * is found by the other (and its job followed there), a conversation started on one continues on the other with its history, and each
 * lists the other's traces. PGlite is one session: each process gets one connection (pool_size=1), and the
 * test sends one request at a time, waiting for each to finish (no two transactions at once).
 */
describe('stateless servers on one PostgreSQL', () => {
  let pg: PgliteVectorServer;
  let model: ScriptedOpenAIServer;
  let dir: string;
  let db: string;
  let key: string;
  const servers: Served[] = [];

  function serve(name: string): Promise<Served> {
    const child = startCli(
      ['serve', '--port', '0', '--json', '--db', db, '--embedder', 'none', '--require-keys', '--model', `openai-compatible:${model.baseUrl}#scripted`, '--log-format', 'json'],
      { env: { LORE_UPLOAD_DIR: join(dir, `uploads-${name}`), LORE_TRACE: '1' } },
    );
    let stdout = '';
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    return new Promise((resolve, reject) => {
      child.stdout!.on('data', (d) => {
        stdout += d;
        const line = stdout.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve({ child, url: (JSON.parse(line) as { url: string }).url, stderr: () => stderr });
      });
      child.on('close', (code) => reject(new Error(`lore serve (${name}) exited (${code}) before listening: ${stderr}`)));
    });
  }

  const call = async (server: Served, path: string, init: { method?: string; json?: unknown; body?: FormData; key?: string } = {}) => {
    const headers: Record<string, string> = { authorization: `Bearer ${init.key ?? key}` };
    if (init.json !== undefined) headers['content-type'] = 'application/json';
    return fetch(`${server.url}${path}`, { method: init.method ?? (init.json !== undefined || init.body ? 'POST' : 'GET'), headers, body: init.body ?? (init.json !== undefined ? JSON.stringify(init.json) : undefined) });
  };
  const json = async <T>(response: Response): Promise<T> => {
    const text = await response.text();
    if (!response.ok) throw new Error(`${response.status}: ${text}`);
    return JSON.parse(text) as T;
  };

  beforeAll(async () => {
    pg = await startPgliteVectorServer();
    db = `${pg.url}?pool_size=1`;
    dir = mkdtempSync(join(tmpdir(), 'lore-stateless-'));
    // A model that behaves correctly by construction: rewrites the follow-up about "it" into a question about
    // the yaw brake pads, and answers citing source 1.
    model = await startScriptedOpenAIServer({
      reply: ({ messages }) => {
        const system = messages[0]?.content ?? '';
        const last = messages.at(-1)?.content ?? '';
        if (system.startsWith('Rewrite the last user question')) return /Last question: how much does it cost/i.test(last) ? 'How much does the yaw brake pad set cost?' : last.match(/Last question: (.*)\n/)![1]!;
        if (system.startsWith('You keep a running summary')) return 'SUMMARY: the user asked about the yaw brake pads.';
        return 'Per the sources, see [1].';
      },
    });
    // The first command on the database migrates it; the key is made once, before either server starts.
    const created = await runCli(['keys', 'create', '--collections', 'manuals', '--name', 'replicas', '--json', '--db', db]);
    expect(created.code, created.stderr).toBe(0);
    key = (JSON.parse(created.stdout) as { key: string }).key;
    servers.push(await serve('a'));
    servers.push(await serve('b'));
  }, 120_000);

  afterAll(async () => {
    for (const s of servers) {
      if (s.child.exitCode === null && s.child.signalCode === null) {
        const closed = new Promise((r) => s.child.on('close', r));
        s.child.kill('SIGTERM');
        await closed;
      }
    }
    await model?.close();
    await pg?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('share keys, documents, conversations and traces: a conversation started on A continues on B', async () => {
    const [a, b] = servers as [Served, Served];

    // Keys: the one key opens both; a wrong one is refused by both.
    for (const s of [a, b]) {
      expect((await call(s, '/api/collections')).status).toBe(200);
      expect((await call(s, '/api/collections', { key: 'lore_' + 'x'.repeat(43) })).status).toBe(401);
    }

    // A document uploaded to A (and ingested by A's job runner) is found by B.
    const form = new FormData();
    for (const name of ['wind-turbine-maintenance.md', 'spare-parts.csv']) form.append('files', new Blob([readFileSync(join(EXAMPLES, name))]), name);
    const upload = await call(a, '/api/collections/manuals/documents', { body: form });
    expect(upload.status, await upload.clone().text()).toBe(202);
    const { job } = (await upload.json()) as { job: { id: string } };
    // A runs the job; B answers for it from the shared job board.
    let status = '';
    for (let i = 0; i < 400 && !['done', 'failed', 'cancelled'].includes(status); i++) {
      status = (await json<{ job: { status: string } }>(await call(b, `/api/jobs/${job.id}`))).job.status;
      if (status !== 'done') await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe('done');
    const onB = await json<{ jobs: Array<{ id: string; files: Array<{ name: string; status: string }> }> }>(await call(b, '/api/jobs'));
    expect(onB.jobs.find((j) => j.id === job.id)!.files.map((f) => [f.name, f.status]).sort()).toEqual([['spare-parts.csv', 'ready'], ['wind-turbine-maintenance.md', 'ready']]);
    const found = await json<{ results: Array<{ hits: Array<{ source: string }> }> }>(await call(b, '/api/search', { json: { query: 'yaw brake pad set price', collection: 'manuals', mode: 'keyword' } }));
    expect(found.results[0]!.hits[0]!.source).toMatch(/spare-parts\.csv$/);

    // A conversation: the first question on A, the follow-up on B.
    expect((await call(a, '/api/sessions', { json: { id: 'pads', collection: 'manuals' } })).status).toBe(201);
    expect((await call(b, '/api/sessions', { json: { id: 'pads', collection: 'manuals' } })).status).toBe(409);
    const first = await json<{ answer: { text: string }; condensed: string }>(
      await call(a, '/api/sessions/pads/messages?format=json', { json: { question: 'How often should the yaw brake pads be checked?', mode: 'keyword' } }),
    );
    expect(first.answer.text).toContain('[1]');
    const beforeB = model.requests.length;
    const second = await json<{ standalone: string; condensed: string; answer: { citations: Array<{ source: string }> } }>(
      await call(b, '/api/sessions/pads/messages?format=json', { json: { question: 'how much does it cost?', mode: 'keyword' } }),
    );
    // B condensed the follow-up with A's turn as its history, retrieved for the standalone question…
    expect(second).toMatchObject({ standalone: 'How much does the yaw brake pad set cost?', condensed: 'model' });
    const bRequests = model.requests.slice(beforeB);
    const condense = bRequests.find((r) => r.messages[0]?.content?.startsWith('Rewrite the last user question'))!;
    expect(condense.messages.at(-1)!.content).toContain('How often should the yaw brake pads be checked?');
    expect(second.answer.citations[0]!.source).toMatch(/spare-parts\.csv$/);
    // …and answered with A's exchange as memory, then the new question.
    const answer = bRequests.at(-1)!;
    expect(answer.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(answer.messages[1]!.content).toBe('How often should the yaw brake pads be checked?');
    // Both servers show the whole conversation.
    for (const s of [a, b]) {
      const detail = await json<{ session: { turnCount: number; title: string }; turns: Array<{ role: string; content: string; standalone: string | null }> }>(await call(s, '/api/sessions/pads'));
      expect(detail.session).toMatchObject({ turnCount: 4, title: 'How often should the yaw brake pads be checked?' });
      expect(detail.turns.map((t) => t.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
      expect(detail.turns[2]).toMatchObject({ content: 'how much does it cost?', standalone: 'How much does the yaw brake pad set cost?' });
    }

    // Traces: each server writes its own (batches of a second); either lists both servers' chat turns.
    let turns: Array<{ traceId: string; attributes: Record<string, unknown> }> = [];
    for (let i = 0; i < 100 && turns.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 100));
      turns = (await json<{ traces: Array<{ name: string; traceId: string; attributes: Record<string, unknown> }> }>(await call(a, '/api/traces?limit=100'))).traces.filter((t) => t.name === 'rag.chat_turn');
    }
    expect(turns).toHaveLength(2);
    const fromB = await json<{ traces: Array<{ name: string; traceId: string }> }>(await call(b, '/api/traces?limit=100'));
    expect(fromB.traces.filter((t) => t.name === 'rag.chat_turn').map((t) => t.traceId).sort()).toEqual(turns.map((t) => t.traceId).sort());
    const tree = await json<{ spans: Array<{ name: string; children: Array<{ name: string }> }> }>(await call(b, `/api/traces/${turns[1]!.traceId.slice(0, 8)}`));
    expect(tree.spans[0]!.name).toBe('rag.chat_turn');

    // The CLI reads the same database: the conversation, the traces; a key revoked there is refused by both.
    const shown = await runCli(['chat', '--show', 'pads', '--json', '--no-trace', '--db', db]);
    expect(shown.code, shown.stderr).toBe(0);
    expect((JSON.parse(shown.stdout) as { turns: unknown[] }).turns).toHaveLength(4);
    const traces = await runCli(['traces', '--json', '--last', '50', '--db', db]);
    expect(traces.code, traces.stderr).toBe(0);
    expect((JSON.parse(traces.stdout) as { traces: Array<{ name: string }> }).traces.filter((t) => t.name === 'rag.chat_turn')).toHaveLength(2);
    const listed = await runCli(['keys', 'list', '--json', '--db', db]);
    const keyId = (JSON.parse(listed.stdout) as { keys: Array<{ id: string; name: string; lastUsedAt: string | null }> }).keys.find((k) => k.name === 'replicas')!;
    expect(keyId.lastUsedAt).not.toBeNull();
    expect((await runCli(['keys', 'revoke', keyId.id, '--db', db])).code).toBe(0);
    for (const s of [a, b]) expect((await call(s, '/api/collections')).status).toBe(401);
    for (const s of [a, b]) expect(s.stderr().split('\n').filter((l) => l.includes('"level":"error"'))).toEqual([]);
  }, 120_000);
});
