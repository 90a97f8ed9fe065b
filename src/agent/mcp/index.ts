// MCP both ways: other servers' tools for the agent, and Lore's collections as a server.
export { connectMcpServer, connectMcpServers, mcpToolName, riskFromAnnotations, contentText, type McpConnection, type ConnectMcpServerOptions } from './connect-mcp.js';
export { loadMcpConfig, parseMcpConfig, type McpConfig, type McpServerConfig, type McpStdioServerConfig, type McpHttpServerConfig } from './mcp-config.js';
export { createLoreMcpServer, documentUri, documentText, type LoreMcpServerOptions } from './lore-mcp-server.js';
