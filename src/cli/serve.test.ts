import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../models/test-support/fake-openai-server.js';
import { runCli, startCli } from './test-support/run-cli.js';

/** Resolves with the first stdout line of a starting `lore serve --json`. */
function firstLine(child: ReturnType<typeof startCli>): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
    });
    child.on('exit', (code) => reject(new Error(`lore serve exited with ${code}`)));
  });
}

/** A fresh TCP connection (no pooled one): refused once the server stopped listening. */
function connect(url: string): Promise<'connected' | 'refused'> {
  return new Promise((resolve) => {
    const req = request(`${url}/healthz`, { agent: false }, (res) => {
      res.resume();
      resolve('connected');
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED' ? 'refused' : 'connected'));
    req.end();
  });
}

describe('lore serve', () => {
  let dir: string;
  let fake: FakeOpenAIServer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lore-serve-cli-'));
    fake = await startFakeOpenAIServer();
  });
  afterAll(async () => {
    await fake?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints { url } once listening, logs JSON lines, and on SIGTERM finishes a slow stream while refusing new connections', async () => {
    const child = startCli(['serve', '--db', join(dir, 'lore.db'), '--port', '0', '--json', '--embedder', 'none', '--log-format', 'json', '--model', `openai-compatible:${fake.baseUrl}#slow`]);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const { url } = JSON.parse(await firstLine(child)) as { url: string };
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    // The fake model answers "late" after 500 ms; the stream is open (headers sent) well before that.
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'slow', stream: true, messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(response.status).toBe(200);
    child.kill('SIGTERM');
    let refused = false;
    for (let i = 0; i < 40 && !refused; i++) {
      refused = (await connect(url)) === 'refused';
      if (!refused) await new Promise((r) => setTimeout(r, 10));
    }
    expect(refused).toBe(true);
    const body = await response.text();
    expect(body).toContain('"content":"late"');
    expect(body.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(await exited).toBe(0);

    const lines = stderr.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => l['route'] === '/v1/chat/completions')).toMatchObject({ level: 'info', msg: 'request', method: 'POST', status: 200 });
    expect(lines.map((l) => l['msg'])).toEqual(expect.arrayContaining(['listening', 'shutting down', 'stopped']));
  });

  it('refuses to bind beyond loopback without API keys, and bad options', async () => {
    const open = await runCli(['serve', '--db', join(dir, 'other.db'), '--host', '0.0.0.0', '--port', '0']);
    expect(open.code).toBe(2);
    expect(open.stderr).toMatch(/needs API keys/);
    expect(open.stderr).toMatch(/lore keys create/);
    expect((await runCli(['serve', '--port', 'x'])).code).toBe(2);
    expect((await runCli(['serve', '--rate-limit', 'often'])).code).toBe(2);
  });
});
