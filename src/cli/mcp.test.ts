import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LORE_BIN, runCli } from './test-support/run-cli.js';

const EXAMPLES = fileURLToPath(new URL('../../examples', import.meta.url));

type TextResult = { content: Array<{ type: string; text?: string }>; isError?: boolean };
const textOf = (result: unknown) => (result as TextResult).content.map((c) => c.text ?? '').join('\n');

describe('lore mcp (a real MCP client talking to the lore process over stdio)', () => {
  let dir: string;
  let db: string;
  let client: Client;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lore-mcp-'));
    cpSync(EXAMPLES, join(dir, 'examples'), { recursive: true });
    db = join(dir, 'lore.db');
    expect((await runCli(['ingest', 'examples', '--db', db, '--embedder', 'none', '-c', 'manuals'], { cwd: dir })).code).toBe(0);
    client = new Client({ name: 'test-client', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({ command: process.execPath, args: [LORE_BIN, 'mcp', '--db', db, '--mode', 'keyword'], cwd: dir, env: { LORE_DB: '', LORE_MODEL: '' }, stderr: 'ignore' }),
    );
  });
  afterAll(async () => {
    await client?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('offers search and ask, read-only and closed-world', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['ask', 'search']);
    for (const tool of tools) expect(tool.annotations).toMatchObject({ readOnlyHint: true, openWorldHint: false });
    expect(client.getServerVersion()?.name).toBe('lore');
  });

  it('searches the collections, pointing at each document’s resource', async () => {
    const result = await client.callTool({ name: 'search', arguments: { query: 'gearbox oil', k: 3 } });
    const text = textOf(result);
    expect(text).toMatch(/^\[1\] /);
    expect(text).toMatch(/wind-turbine-maintenance\.md/);
    expect(text).toMatch(/lore:\/\/collection\/manuals\/document\/[^\s]+/);
    expect(text.toLowerCase()).toContain('gearbox');
    const unknown = await client.callTool({ name: 'search', arguments: { query: 'x', collection: 'nope' } });
    expect((unknown as TextResult).isError).toBe(true);
    expect(textOf(unknown)).toMatch(/no collection "nope".*manuals/);
  });

  it('answers with citations', async () => {
    const result = await client.callTool({ name: 'ask', arguments: { question: 'How often should the gearbox oil be replaced?' } });
    const text = textOf(result);
    expect(text).toMatch(/\[1\]/);
    expect(text).toMatch(/Sources:\n\[1\] .*wind-turbine-maintenance\.md/);
  });

  it('lists documents as resources and reads them back as text', async () => {
    const { resources } = await client.listResources();
    expect(resources.length).toBeGreaterThan(0);
    const manual = resources.find((r) => r.uri.startsWith('lore://collection/manuals/document/') && /wind-turbine/.test(r.description ?? ''));
    expect(manual).toBeDefined();
    const { contents } = await client.readResource({ uri: manual!.uri });
    expect(contents[0]).toMatchObject({ uri: manual!.uri, mimeType: 'text/plain' });
    expect((contents[0] as { text: string }).text.toLowerCase()).toContain('gearbox');
    await expect(client.readResource({ uri: 'lore://collection/manuals/document/no-such-id' })).rejects.toThrow(/No document/);
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual(['lore://collection/{collection}/document/{id}']);
  });
});
