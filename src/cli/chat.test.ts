import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedOpenAIServer, type ScriptedOpenAIServer } from '../models/test-support/scripted-openai-server.js';
import { runCli } from './test-support/run-cli.js';

const EXAMPLES = fileURLToPath(new URL('../../examples', import.meta.url));

describe('lore chat', () => {
  let dir: string;
  let db: string;
  let server: ScriptedOpenAIServer;

  beforeAll(async () => {
    server = await startScriptedOpenAIServer({
      reply: ({ messages }) => {
        const system = messages[0]?.content ?? '';
        if (system.startsWith('Rewrite the last user question')) return 'How much does the yaw brake pad set cost?';
        return 'The pad set costs 380 EUR [1].';
      },
    });
    dir = mkdtempSync(join(tmpdir(), 'lore-chat-cli-'));
    cpSync(EXAMPLES, join(dir, 'examples'), { recursive: true });
    db = join(dir, 'lore.db');
    expect((await runCli(['ingest', 'examples', '--db', db, '--embedder', 'none'], { cwd: dir })).code).toBe(0);
  });
  afterAll(() => server.close());

  it('answers piped questions as JSON lines, keeps the session, and resumes it', async () => {
    const first = await runCli(['chat', '--session', 'pads', '--db', db, '--mode', 'keyword', '--json', '--model', `openai-compatible:${server.baseUrl}#m`], {
      cwd: dir,
      input: 'How often should the yaw brake pads be checked?\nhow much does it cost?\n',
    });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const lines = first.stdout.trim().split('\n').map((l) => JSON.parse(l) as { question: string; standalone: string; condensed: string; text: string; citations: Array<{ source: string }> });
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ question: 'how much does it cost?', standalone: 'How much does the yaw brake pad set cost?', condensed: 'model', text: 'The pad set costs 380 EUR [1].' });
    expect(lines[1]!.citations[0]!.source).toMatch(/spare-parts\.csv$/);

    // A new process resumes the session: the earlier exchange travels with the next question.
    const resumed = await runCli(['chat', '--session', 'pads', '--db', db, '--mode', 'keyword', '--json'], { cwd: dir, input: 'and the blades?\n', env: { LORE_MODEL: `openai-compatible:${server.baseUrl}#m` } });
    expect(resumed.code).toBe(0);
    const answerRequest = server.requests.at(-1)!;
    expect(answerRequest.messages.filter((m) => m.role === 'user').map((m) => m.content).slice(0, 2)).toEqual([
      'How often should the yaw brake pads be checked?',
      'how much does it cost?',
    ]);

    const list = await runCli(['chat', '--list', '--db', db, '--json'], { cwd: dir });
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ id: 'pads', turnCount: 6, title: 'How often should the yaw brake pads be checked?' })]);
  });

  it('runs /save and /reset, answers extractively without a model, and deletes sessions', async () => {
    const r = await runCli(['chat', '--session', 'zh', '--db', db, '--mode', 'keyword'], { cwd: dir, input: '齿轮油多久更换一次？\n/save zh.md\n/reset\n/sources\n/exit\nnever asked\n' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/十八个月更换一次齿轮油/);
    expect(r.stdout).toMatch(/No sources yet/);
    expect(readFileSync(join(dir, 'zh.md'), 'utf8')).toMatch(/\*\*You:\*\* 齿轮油多久更换一次？/);
    const shown = await runCli(['chat', '--show', 'zh', '--db', db, '--json'], { cwd: dir });
    expect(JSON.parse(shown.stdout)).toMatchObject({ id: 'zh', turns: [] });
    expect((await runCli(['chat', '--delete', 'zh', '--db', db], { cwd: dir })).code).toBe(0);
    const gone = await runCli(['chat', '--show', 'zh', '--db', db], { cwd: dir });
    expect(gone.code).toBe(3);
    expect(gone.stderr).toMatch(/No session "zh"/);
  });
});
