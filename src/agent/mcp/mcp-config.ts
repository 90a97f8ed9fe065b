import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { LoreError } from '../../spec/errors.js';
import { TOOL_RISKS } from '../../spec/tool.js';

const risk = z.enum(TOOL_RISKS as unknown as ['read', 'write', 'network']);

const common = {
  /**
   * What the server's tools may do, overriding what they declare (MCP tool annotations are hints, and
   * many servers leave them out, which counts as `write`): one level for all of them, or by tool name.
   */
  risk: z.union([risk, z.record(z.string(), risk)]).optional(),
  /** Only these tools of the server (by their MCP names). */
  tools: z.array(z.string()).optional(),
  /** Per tool call (default 60 s). */
  timeoutMs: z.number().int().positive().optional(),
  /** Prefix tool names with the server's name (`files__read`), default true: two servers may both have a `search`. */
  prefix: z.boolean().optional(),
};

export const mcpStdioServerSchema = z.object({
  type: z.literal('stdio').optional(),
  command: z.string().min(1),
  args: z.array(z.string()).optional(),
  /** Added to the small safe environment the SDK passes on (PATH, HOME…); the rest of ours is not inherited. */
  env: z.record(z.string(), z.string()).optional(),
  cwd: z.string().optional(),
  ...common,
});

export const mcpHttpServerSchema = z.object({
  type: z.enum(['http', 'streamable-http', 'streamableHttp']).optional(),
  url: z.string().url(),
  headers: z.record(z.string(), z.string()).optional(),
  ...common,
});

export const mcpServerSchema = z.union([mcpStdioServerSchema, mcpHttpServerSchema]);

/** Claude Desktop's layout (`mcpServers`), so one file can serve both. */
export const mcpConfigSchema = z.object({ mcpServers: z.record(z.string(), mcpServerSchema) });

export type McpStdioServerConfig = z.output<typeof mcpStdioServerSchema>;
export type McpHttpServerConfig = z.output<typeof mcpHttpServerSchema>;
export type McpServerConfig = z.output<typeof mcpServerSchema>;
export type McpConfig = z.output<typeof mcpConfigSchema>;

export function parseMcpConfig(options: { value: unknown; source?: string }): McpConfig {
  const parsed = mcpConfigSchema.safeParse(options.value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  throw new LoreError({
    code: 'INVALID_ARGUMENT',
    message: `${options.source ?? 'The MCP configuration'} is not a valid MCP configuration: ${problems}`,
    hint: 'write {"mcpServers": {"name": {"command": "…", "args": […]}}} or {"mcpServers": {"name": {"url": "https://…/mcp"}}}',
    subject: options.source,
  });
}

/** Reads an MCP configuration file (JSON, in Claude Desktop's `mcpServers` layout). */
export function loadMcpConfig(options: { path: string }): McpConfig {
  let text: string;
  try {
    text = readFileSync(options.path, 'utf8');
  } catch (cause) {
    throw new LoreError({ code: 'NOT_FOUND', message: `Cannot read the MCP configuration ${options.path}`, cause, subject: options.path });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new LoreError({ code: 'PARSE_ERROR', message: `${options.path} is not JSON: ${(cause as Error).message}`, cause, subject: options.path });
  }
  return parseMcpConfig({ value, source: options.path });
}
