import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createOpenAICompatibleModel } from '../../models/providers/openai-compatible.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../../models/test-support/fake-openai-server.js';
import type { ToolResultValue } from '../../spec/tool.js';
import { runAgent } from '../run-agent.js';
import { connectMcpServer, connectMcpServers, mcpToolName, type McpConnection } from './connect-mcp.js';
import { parseMcpConfig } from './mcp-config.js';

const SERVER_SCRIPT = fileURLToPath(new URL('../test-support/tiny-mcp-server.mjs', import.meta.url));
const context = () => ({ signal: new AbortController().signal, callId: 'c' });

let tiny: McpConnection;
let openai: FakeOpenAIServer;
beforeAll(async () => {
  tiny = await connectMcpServer({ name: 'tiny', server: { command: process.execPath, args: [SERVER_SCRIPT] } });
  openai = await startFakeOpenAIServer({
    scripted: {
      'mcp-user': {
        replies: [
          {
            toolCalls: [
              { id: 'm1', name: 'tiny__add', arguments: '{"a": 40, "b": 2}' },
              { id: 'm2', name: 'tiny__fail', arguments: '{"reason": "testing"}' },
              { id: 'm3', name: 'tiny__write_note', arguments: '{"text": "hi"}' },
              { id: 'm4', name: 'tiny__add', arguments: '{"a": "forty"}' },
            ],
          },
          'The sum is 42.',
        ],
      },
    },
  });
});
afterAll(async () => {
  await tiny?.close();
  await openai?.close();
});

describe('Lore as an MCP client (stdio)', () => {
  it('lists a server’s tools as Lore tools, with risk levels from their annotations', () => {
    const byName = Object.fromEntries(tiny.tools.map((t) => [t.name, t]));
    expect(Object.keys(byName).sort()).toEqual(['tiny__add', 'tiny__fail', 'tiny__shout', 'tiny__wait', 'tiny__write_note']);
    expect(byName['tiny__add']!.risk).toBe('read');
    expect(byName['tiny__shout']!.risk).toBe('network');
    expect(byName['tiny__write_note']!.risk).toBe('write');
    expect(byName['tiny__add']!.description).toMatch(/Adds two numbers.*"tiny"/);
    expect((byName['tiny__add']!.parameters as { properties: Record<string, unknown> }).properties).toHaveProperty('a');
  });

  it('calls tools; error results stay error results', async () => {
    const add = tiny.tools.find((t) => t.name === 'tiny__add')!;
    expect(await add.execute({ a: 2, b: 3 }, context())).toMatchObject({ content: '5', isError: false });
    const fail = tiny.tools.find((t) => t.name === 'tiny__fail')!;
    expect(await fail.execute({ reason: 'no' }, context())).toMatchObject({ content: 'failed because no', isError: true });
  });

  it('cancels a call in flight', async () => {
    const wait = tiny.tools.find((t) => t.name === 'tiny__wait')!;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    await expect(wait.execute({ ms: 10_000 }, { signal: controller.signal, callId: 'w' })).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('gives the agent the server’s tools: validated, approved by risk, results back to the model', async () => {
    const model = createOpenAICompatibleModel({ baseUrl: openai.baseUrl, model: 'mcp-user' });
    const result = await runAgent({ model, task: 'Add 40 and 2', tools: tiny.tools });
    expect(result.answer).toBe('The sum is 42.');
    const results = result.steps[0]!.results;
    expect(results.map((r) => [r.name, r.status])).toEqual([
      ['tiny__add', 'ok'],
      ['tiny__fail', 'error'],
      ['tiny__write_note', 'refused'],
      ['tiny__add', 'invalid_arguments'],
    ]);
    expect(results[0]!.content).toBe('42');
    expect(results[1]!.content).toBe('Error: failed because testing');
  });

  it('reads Claude Desktop’s configuration layout, with risk overrides and tool filters', async () => {
    const config = parseMcpConfig({
      value: { mcpServers: { 'my tools': { command: process.execPath, args: [SERVER_SCRIPT], tools: ['add', 'write_note'], risk: { write_note: 'read' } } } },
    });
    const set = await connectMcpServers({ config });
    try {
      expect(set.tools.map((t) => [t.name, t.risk])).toEqual([
        ['my_tools__add', 'read'],
        ['my_tools__write_note', 'read'],
      ]);
    } finally {
      await set.close();
    }
    expect(() => parseMcpConfig({ value: { mcpServers: { x: { args: [] } } } })).toThrow(/not a valid MCP configuration/);
    expect(mcpToolName({ server: 'a'.repeat(40), tool: 'b'.repeat(40) })).toMatch(/^a{40}__b{13}_[0-9a-f]{8}$/);
  });

  it('names the server when it cannot start', async () => {
    await expect(connectMcpServer({ name: 'broken', server: { command: process.execPath, args: ['-e', 'process.exit(3)'] }, timeoutMs: 5000 })).rejects.toThrow(/MCP server "broken"/);
  });
});

describe('Lore as an MCP client (streamable HTTP)', () => {
  let http: Server;
  let url = '';
  beforeAll(async () => {
    // Stateless: a server and transport per request, as the SDK's examples do.
    http = createServer(async (req, res) => {
      const server = new McpServer({ name: 'http-tools', version: '1.0.0' });
      server.registerTool('echo', { description: 'Echoes', inputSchema: { text: z.string() }, annotations: { readOnlyHint: true, openWorldHint: false } }, async ({ text }) => ({
        content: [{ type: 'text', text: `echo: ${text}` }],
      }));
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      res.on('close', () => void transport.close());
      await server.connect(transport);
      await transport.handleRequest(req, res);
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;
  });
  afterAll(async () => {
    http.closeAllConnections();
    await new Promise((r) => http.close(r));
  });

  it('connects by URL and calls the tools', async () => {
    const remote = await connectMcpServer({ name: 'remote', server: { url } });
    try {
      expect(remote.tools.map((t) => [t.name, t.risk])).toEqual([['remote__echo', 'read']]);
      const out = (await remote.tools[0]!.execute({ text: 'hi' }, context())) as ToolResultValue;
      expect(out.content).toBe('echo: hi');
    } finally {
      await remote.close();
    }
  });
});
