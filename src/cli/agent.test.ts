import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../models/test-support/fake-openai-server.js';
import { runCli } from './test-support/run-cli.js';

const EXAMPLES = fileURLToPath(new URL('../../examples', import.meta.url));
const TINY_MCP = fileURLToPath(new URL('../agent/test-support/tiny-mcp-server.mjs', import.meta.url));

describe('lore agent (against a scripted server speaking the OpenAI protocol)', () => {
  let server: FakeOpenAIServer;
  let dir: string;
  let db: string;
  const spec = (name: string) => `openai-compatible:${server.baseUrl}#${name}`;

  beforeAll(async () => {
    server = await startFakeOpenAIServer({
      scripted: {
        calc: { replies: [{ text: 'I will calculate.', toolCalls: [{ name: 'calculator', arguments: '{"expression":"(1200 - 350) * 0.2"}' }] }, 'The result is 170.'] },
        'calc-json': { replies: [{ toolCalls: [{ name: 'calculator', arguments: '{"expression":"6*7"}' }] }, 'Forty-two.'] },
        'fetch-local': { replies: [{ toolCalls: [{ name: 'fetch', arguments: '{"url":"http://127.0.0.1:9/admin"}' }] }, 'I could not fetch it.'] },
        'fetch-allowed': { replies: [{ toolCalls: [{ name: 'fetch', arguments: '{"url":"http://169.254.169.254/latest/meta-data/"}' }] }, 'Refused, as it should be.'] },
        forever: { replies: [{ toolCalls: [{ name: 'calculator', arguments: '{"expression":"1+1"}' }] }] },
        searcher: { replies: [{ toolCalls: [{ name: 'search', arguments: '{"query":"gearbox oil","k":2}' }] }, 'Every 18 months [1].'] },
        'sql-count': {
          replies: [
            {
              toolCalls: [
                { name: 'sql_query', arguments: JSON.stringify({ sql: "SELECT COUNT(*) AS n FROM turbines WHERE status = 'maintenance'" }) },
                { name: 'sql_query', arguments: JSON.stringify({ sql: 'DROP TABLE turbines' }) },
              ],
            },
            'Two turbines are under maintenance.',
          ],
        },
        'mcp-add': { replies: [{ toolCalls: [{ name: 'tiny__add', arguments: '{"a":40,"b":2}' }] }, '42'] },
      },
    });
    dir = mkdtempSync(join(tmpdir(), 'lore-agent-'));
    cpSync(EXAMPLES, join(dir, 'examples'), { recursive: true });
    db = join(dir, 'lore.db');
    expect((await runCli(['ingest', 'examples', '--db', db, '--embedder', 'none'], { cwd: dir })).code).toBe(0);
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows each thought, call and result on stderr and prints the answer on stdout', async () => {
    const r = await runCli(['agent', 'What is 20% of 1200 minus 350?', '--tools', 'calculator', '--model', spec('calc')], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('The result is 170.\n');
    expect(r.stderr).toMatch(/thought: I will calculate\.\n→ calculator \{"expression":"\(1200 - 350\) \* 0\.2"\}\n← calculator: \(1200 - 350\) \* 0\.2 = 170\n/);
  });

  it('prints every event as a JSON line with --json', async () => {
    const r = await runCli(['agent', 'What is 6 times 7?', '--tools', 'calculator', '--model', spec('calc-json'), '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; [k: string]: unknown });
    expect(events.filter((e) => e.type !== 'text').map((e) => e.type)).toEqual(['step', 'tool_call', 'tool_result', 'step', 'answer', 'stop', 'result']);
    expect(events.find((e) => e.type === 'tool_result')).toMatchObject({ result: { name: 'calculator', status: 'ok', content: '6*7 = 42' } });
    expect(events.at(-1)).toMatchObject({ type: 'result', answer: 'Forty-two.', stopReason: 'answer', steps: 2 });
  });

  it('refuses network tools without a terminal to ask unless --allow names them; the address guard still holds', async () => {
    const refused = await runCli(['agent', 'Read the admin page', '--tools', 'fetch', '--model', spec('fetch-local')], { cwd: dir });
    expect(refused.code).toBe(0);
    expect(refused.stderr).toMatch(/→ fetch .*\(network\)\n✗ fetch \[refused\]: Error: "fetch" \(risk: network\) was not approved/);
    const allowed = await runCli(['agent', 'Read the metadata', '--tools', 'fetch', '--allow', 'network', '--model', spec('fetch-allowed')], { cwd: dir });
    expect(allowed.code).toBe(0);
    expect(allowed.stderr).toMatch(/✗ fetch \[error\]: Error: Refused to fetch http:\/\/169\.254\.169\.254\/latest\/meta-data\/: .*link-local/);
  });

  it('searches the database and stops at --max-steps with exit code 1', async () => {
    const found = await runCli(['agent', 'How often is the gearbox oil changed?', '--db', db, '--embedder', 'none', '--model', spec('searcher')], { cwd: dir });
    expect(found.code).toBe(0);
    expect(found.stderr).toMatch(/← search: \[1\] .*wind-turbine-maintenance\.md/);
    expect(found.stdout).toBe('Every 18 months [1].\n');
    const looped = await runCli(['agent', 'Loop', '--tools', 'calculator', '--max-steps', '2', '--model', spec('forever')], { cwd: dir });
    expect(looped.code).toBe(1);
    expect(looped.stdout).toBe('');
    expect(looped.stderr).toMatch(/Stopped: max steps after 2 steps\.[\s\S]*step budget/);
  });

  it('queries a SQL database read-only with --sql', async () => {
    const file = join(dir, 'fleet.db');
    const fleet = new Database(file);
    fleet.exec("CREATE TABLE turbines (id INTEGER PRIMARY KEY, farm TEXT, status TEXT); INSERT INTO turbines (farm, status) VALUES ('North', 'running'), ('North', 'maintenance'), ('South', 'maintenance')");
    fleet.close();
    const r = await runCli(['agent', 'How many turbines are under maintenance?', '--tools', 'calculator', '--sql', `sqlite:${file}`, '--model', spec('sql-count')], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/← sql_query: 1 row \| n \|[\s\S]*2/);
    expect(r.stderr).toMatch(/✗ sql_query \[error\]: Error: .*(DROP|read-only|SELECT)/i);
    expect(r.stdout).toBe('Two turbines are under maintenance.\n');
    const check = new Database(file, { readonly: true });
    expect(check.prepare('SELECT COUNT(*) AS n FROM turbines').get()).toEqual({ n: 3 });
    check.close();
  });

  it('uses the tools of MCP servers from a configuration file', async () => {
    const config = join(dir, 'mcp.json');
    writeFileSync(config, JSON.stringify({ mcpServers: { tiny: { command: process.execPath, args: [TINY_MCP] } } }));
    const r = await runCli(['agent', 'Add 40 and 2', '--tools', 'calculator', '--mcp', config, '--model', spec('mcp-add')], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/← tiny__add: 42/);
    expect(r.stdout).toBe('42\n');
  });

  it('needs a model and known tool names', async () => {
    const noModel = await runCli(['agent', 'Do it'], { cwd: dir, env: { LORE_MODEL: '' } });
    expect(noModel.code).toBe(2);
    expect(noModel.stderr).toMatch(/needs a language model/);
    const badTool = await runCli(['agent', 'Do it', '--tools', 'calculator,teleport', '--model', spec('calc')], { cwd: dir });
    expect(badTool.code).toBe(2);
    expect(badTool.stderr).toMatch(/unknown tool "teleport"/);
  });
});
