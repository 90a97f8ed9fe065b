// Agents: a tool-calling loop over any LanguageModel (native tool calling or the ReAct text protocol),
// the built-in tools, and MCP in both directions.
export { runAgent, DEFAULT_MAX_STEPS, DEFAULT_MAX_OUTPUT_TOKENS, FINAL_ANSWER_TOOL, type RunAgentOptions } from './run-agent.js';
export type { AgentEvent, AgentProtocol, AgentResult, AgentStep, AgentStopReason, AgentToolCall, AgentToolResult, ToolCallStatus } from './agent-events.js';
export { decideApproval, type ApprovalPolicy, type ApprovalRequest, type ApproveFunction, type ApprovalDecision } from './approval.js';
export { defineTool, type DefineToolOptions } from './define-tool.js';
export { prepareTools, type PreparedTool } from './tool-schema.js';
export { executeToolCalls, parseArguments, capResult, type ExecuteToolCallsOptions } from './execute-tool-calls.js';
export { chooseProtocol, defaultToolChoice, refusesTools } from './choose-protocol.js';
export * from './tools/index.js';
export * from './mcp/index.js';
