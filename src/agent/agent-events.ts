import type { ChatMessage, Usage } from '../spec/models.js';
import type { ToolRisk } from '../spec/tool.js';

/** How the model was asked to use tools: its provider's tool calling, or the ReAct text protocol. */
export type AgentProtocol = 'native' | 'react';

/**
 * Why a run ended. `answer`: the model answered. The others are budgets running out (`max_steps`,
 * `max_time`, `max_tokens`): the run stops cleanly with what it has, and `answer` is then absent.
 */
export type AgentStopReason = 'answer' | 'max_steps' | 'max_time' | 'max_tokens';

/**
 * How a call ended. `ok` and `error` (the tool ran, and threw or reported an error) are the tool's;
 * the others mean it never ran: `invalid_arguments` (not JSON, or not what the schema asks), `unknown_tool`,
 * `refused` (a risky tool without approval), `timeout` (ran past its time and was abandoned),
 * `skipped` (the run ended before it could run).
 */
export type ToolCallStatus = 'ok' | 'error' | 'invalid_arguments' | 'unknown_tool' | 'refused' | 'timeout' | 'skipped';

export interface AgentToolCall {
  /** The model's id for the call, or one made up for ReAct turns. */
  id: string;
  name: string;
  /** The arguments as the model wrote them. */
  rawArguments: string;
  /** The parsed arguments, when they parsed. */
  arguments?: unknown;
}

export interface AgentToolResult {
  callId: string;
  name: string;
  status: ToolCallStatus;
  /** What the model was given back (cut to the result limit). */
  content: string;
  /** The tool's structured output, when it gave one. */
  data?: unknown;
  risk?: ToolRisk;
  /** Who let a risky call run: configuration (`allow`) or the person asked (`approve`). */
  approvedBy?: 'config' | 'person';
  durationMs: number;
}

/** One model call and what came of it. */
export interface AgentStep {
  /** 1-based. */
  index: number;
  /** Text the model wrote before its calls (native) or its Thought (ReAct). */
  thought: string;
  calls: AgentToolCall[];
  results: AgentToolResult[];
  /** Set on the step that answered. */
  answer?: string;
  /** A ReAct turn the parser could not read: what the model was told. */
  formatError?: string;
  usage?: Usage;
  durationMs: number;
}

/** What `onEvent` receives, in order, as the run goes. */
export type AgentEvent =
  | { type: 'step'; step: number; protocol: AgentProtocol }
  /** The model's text as it streams (thoughts, or the answer): for showing progress, not for parsing. */
  | { type: 'text'; step: number; delta: string }
  | { type: 'thought'; step: number; text: string }
  | { type: 'tool_call'; step: number; call: AgentToolCall; risk?: ToolRisk }
  | { type: 'tool_result'; step: number; result: AgentToolResult }
  | { type: 'answer'; step: number; text: string }
  /** The protocol changed mid-run: the provider refused native tool calling, so `auto` fell back to ReAct. */
  | { type: 'protocol'; protocol: AgentProtocol; reason: string }
  | { type: 'stop'; reason: AgentStopReason; steps: number; usage: Usage };

export interface AgentResult {
  /** The final answer; absent when a budget ran out first. */
  answer?: string;
  stopReason: AgentStopReason;
  /** A sentence for people: why the run stopped, when it was not an answer. */
  stopMessage?: string;
  protocol: AgentProtocol;
  steps: AgentStep[];
  /** The whole conversation as sent to the model, to continue it or to inspect it. */
  messages: ChatMessage[];
  /** Summed over every model call. `estimated` when some call reported no counts. */
  usage: Usage;
  durationMs: number;
}
