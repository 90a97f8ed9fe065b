import { createHash } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { LoreError } from '../../spec/errors.js';
import { TOOL_NAME_PATTERN, type Tool, type ToolRisk } from '../../spec/tool.js';
import type { McpConfig, McpServerConfig } from './mcp-config.js';

/** A connected MCP server and its tools, ready for runAgent. */
export interface McpConnection {
  name: string;
  tools: Tool[];
  /** The SDK client, for what Tool does not cover (resources, prompts). */
  client: Client;
  close(): Promise<void>;
}

export interface ConnectMcpServerOptions {
  /** The server's name in the configuration; prefixes its tool names. */
  name: string;
  server: McpServerConfig;
  /** Connecting and listing tools (default 30 s). */
  timeoutMs?: number;
  /** Where a stdio server's stderr goes (default: ignored, so it cannot garble the agent's own output). */
  stderr?: 'inherit' | 'ignore';
  signal?: AbortSignal;
}

interface McpToolInfo {
  name: string;
  description?: string;
  inputSchema: Record<string, unknown>;
  annotations?: { readOnlyHint?: boolean; destructiveHint?: boolean; openWorldHint?: boolean; title?: string };
}

interface McpContent {
  type: string;
  text?: string;
  mimeType?: string;
  uri?: string;
  name?: string;
  resource?: { uri: string; text?: string; mimeType?: string };
}

/**
 * From the server's own annotations, read conservatively as the MCP specification's defaults say: a tool
 * that does not declare itself read-only may write, and one that does not declare a closed world may reach
 * other machines.
 */
export function riskFromAnnotations(annotations: McpToolInfo['annotations']): ToolRisk {
  if (annotations?.readOnlyHint !== true) return 'write';
  return annotations.openWorldHint === false ? 'read' : 'network';
}

/** Provider-safe tool names: `server__tool`, other characters as `_`, shortened with a hash past 64. */
export function mcpToolName(options: { server: string; tool: string; prefix?: boolean }): string {
  const raw = options.prefix === false ? options.tool : `${options.server}__${options.tool}`;
  const clean = raw.replace(/[^A-Za-z0-9_-]/g, '_');
  if (TOOL_NAME_PATTERN.test(clean)) return clean;
  const hash = createHash('sha256').update(raw).digest('hex').slice(0, 8);
  return `${clean.slice(0, 55)}_${hash}`;
}

/** MCP content blocks as text for the model: text as is, resources by their text or URI, media by type. */
export function contentText(content: readonly McpContent[]): string {
  return content
    .map((block) => {
      switch (block.type) {
        case 'text':
          return block.text ?? '';
        case 'resource':
          return block.resource?.text ?? `[resource ${block.resource?.uri ?? ''}]`;
        case 'resource_link':
          return `[resource ${block.name ? `${block.name}: ` : ''}${block.uri ?? ''}]`;
        default:
          return `[${block.type}${block.mimeType ? ` ${block.mimeType}` : ''} not shown]`;
      }
    })
    .join('\n');
}

function transportFor(server: McpServerConfig, stderr: 'inherit' | 'ignore'): Transport {
  if ('command' in server) {
    return new StdioClientTransport({ command: server.command, args: server.args, env: server.env, cwd: server.cwd, stderr });
  }
  return new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: server.headers } });
}

function riskOf(server: McpServerConfig, tool: McpToolInfo): ToolRisk {
  const override = server.risk;
  if (typeof override === 'string') return override;
  if (override && Object.hasOwn(override, tool.name)) return override[tool.name]!;
  return riskFromAnnotations(tool.annotations);
}

/**
 * Connects to one MCP server (a process over stdio, or a streamable-HTTP endpoint) and turns each of its
 * tools into a Lore Tool: the server's JSON Schema as parameters (Lore validates before calling, the
 * server again on receipt), its annotations (or the configuration) as the risk level, its content blocks
 * as the result text and `isError` as an error result.
 */
export async function connectMcpServer(options: ConnectMcpServerOptions): Promise<McpConnection> {
  const { server, name } = options;
  const client = new Client({ name: 'lore-agent', version: '0.1.0' });
  const transport = transportFor(server, options.stderr ?? 'ignore');
  const timeout = options.timeoutMs ?? 30_000;
  const where = 'command' in server ? `${server.command} ${(server.args ?? []).join(' ')}`.trim() : server.url;
  try {
    await client.connect(transport, { timeout, signal: options.signal });
  } catch (cause) {
    await client.close().catch(() => {});
    throw new LoreError({ code: 'PROVIDER_ERROR', message: `Cannot connect to the MCP server "${name}" (${where}): ${(cause as Error).message}`, cause, subject: name });
  }
  try {
    const listed: McpToolInfo[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor ? { cursor } : undefined, { timeout, signal: options.signal });
      listed.push(...(page.tools as McpToolInfo[]));
      cursor = page.nextCursor;
    } while (cursor && listed.length < 1000);
    const wanted = server.tools ? new Set(server.tools) : undefined;
    const tools = listed
      .filter((t) => !wanted || wanted.has(t.name))
      .map((info): Tool => ({
        name: mcpToolName({ server: name, tool: info.name, prefix: server.prefix }),
        description: `${info.description ?? info.annotations?.title ?? info.name} (from the MCP server "${name}")`,
        parameters: info.inputSchema ?? { type: 'object' },
        risk: riskOf(server, info),
        async execute(args, { signal }) {
          const result = await client.callTool({ name: info.name, arguments: (args ?? {}) as Record<string, unknown> }, undefined, {
            signal,
            timeout: server.timeoutMs ?? 60_000,
          });
          const content = Array.isArray(result.content) ? contentText(result.content as McpContent[]) : '';
          const structured = (result as { structuredContent?: unknown }).structuredContent;
          return {
            content: content || (structured !== undefined ? JSON.stringify(structured) : ''),
            isError: result.isError === true,
            data: structured,
          };
        },
      }));
    return { name, tools, client, close: () => client.close() };
  } catch (cause) {
    await client.close().catch(() => {});
    throw new LoreError({ code: 'PROVIDER_ERROR', message: `The MCP server "${name}" (${where}) did not list its tools: ${(cause as Error).message}`, cause, subject: name });
  }
}

/** Every server of a configuration, connected at once; if one fails, the others are closed and the error names it. */
export async function connectMcpServers(options: { config: McpConfig; timeoutMs?: number; stderr?: 'inherit' | 'ignore'; signal?: AbortSignal }): Promise<{
  connections: McpConnection[];
  tools: Tool[];
  close(): Promise<void>;
}> {
  const entries = Object.entries(options.config.mcpServers);
  const settled = await Promise.allSettled(entries.map(([name, server]) => connectMcpServer({ name, server, timeoutMs: options.timeoutMs, stderr: options.stderr, signal: options.signal })));
  const connections = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  const close = async () => {
    await Promise.allSettled(connections.map((c) => c.close()));
  };
  if (failed) {
    await close();
    throw failed.reason;
  }
  return { connections, tools: connections.flatMap((c) => c.tools), close };
}
