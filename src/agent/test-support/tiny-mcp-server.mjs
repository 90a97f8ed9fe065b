// A small MCP server for tests, spoken over stdio: `node tiny-mcp-server.mjs`. Plain JavaScript, so it runs
// as a child process without a build step. Tools: add (read-only, closed world), shout (read-only, open
// world: network), fail (returns an error result), write_note (no annotations: may write), wait (honours
// cancellation).
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const server = new McpServer({ name: 'tiny', version: '1.0.0' });
const closedWorld = { readOnlyHint: true, openWorldHint: false };
const notes = [];

server.registerTool('add', { description: 'Adds two numbers', inputSchema: { a: z.number(), b: z.number() }, annotations: closedWorld }, async ({ a, b }) => ({
  content: [{ type: 'text', text: String(a + b) }],
}));
server.registerTool('shout', { description: 'Upper-cases a text', inputSchema: { text: z.string() }, annotations: { readOnlyHint: true } }, async ({ text }) => ({
  content: [{ type: 'text', text: text.toUpperCase() }],
}));
server.registerTool('fail', { description: 'Always fails', inputSchema: { reason: z.string() }, annotations: closedWorld }, async ({ reason }) => ({
  content: [{ type: 'text', text: `failed because ${reason}` }],
  isError: true,
}));
server.registerTool('write_note', { description: 'Keeps a note', inputSchema: { text: z.string() } }, async ({ text }) => {
  notes.push(text);
  return { content: [{ type: 'text', text: `${notes.length} notes kept` }] };
});
server.registerTool('wait', { description: 'Waits', inputSchema: { ms: z.number() }, annotations: closedWorld }, async ({ ms }, extra) => {
  await new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    extra.signal.addEventListener('abort', () => {
      clearTimeout(t);
      reject(new Error('cancelled'));
    });
  });
  return { content: [{ type: 'text', text: `waited ${ms} ms` }] };
});

await server.connect(new StdioServerTransport());
