/**
 * What an agent can call: a named function with a description and an argument schema that a model reads,
 * and a risk level that decides whether a person must approve the call first. Built-in tools, SQL, MCP
 * servers' tools and a library user's own functions all meet this one contract.
 */

/**
 * What running the tool can affect. `read`: nothing outside the process changes and nothing leaves the
 * machine (search, arithmetic, reading an allowed file, sandboxed code). `write`: something is created,
 * changed or deleted. `network`: a request goes to another machine. `write` and `network` tools run only
 * when allowed by configuration or approved by a person.
 */
export type ToolRisk = 'read' | 'write' | 'network';

export const TOOL_RISKS: readonly ToolRisk[] = ['read', 'write', 'network'];

/**
 * A zod 4 schema, seen structurally (spec has no runtime dependencies): zod 4 schemas carry `_zod` and
 * `safeParse`. The agent turns it into JSON Schema for the model and validates with it.
 */
export interface ZodLikeSchema {
  readonly _zod: unknown;
  safeParse(value: unknown): { success: boolean };
}

/** A JSON Schema of the arguments object (draft 7, 2019-09 or 2020-12), or a zod 4 schema. */
export type ToolParameters = Record<string, unknown> | ZodLikeSchema;

export interface ToolContext {
  /** Aborted when the run is cancelled or the tool's time is up: pass it on to whatever the tool waits for. */
  signal: AbortSignal;
  /** The id of the call being answered (the model's, or one the agent made up for text-protocol models). */
  callId: string;
}

/** A result with more than text: `isError` tells the model the call failed; `data` is for programs, not the model. */
export interface ToolResultValue {
  /** What the model reads. */
  content: string;
  isError?: boolean;
  /** Structured output (rows, hits…) recorded with the step and shown to library callers. */
  data?: unknown;
}

/** A plain string is the content of a successful result. */
export type ToolOutput = string | ToolResultValue;

/**
 * A tool. `execute` receives arguments that have already been validated against `parameters` (after the
 * schema's defaults and transforms, for zod): a tool never sees what the model wrote unchecked. A thrown
 * error becomes an error result the model reads; it does not end the run.
 */
export interface Tool<Args = unknown> {
  /** Letters, digits, `_` and `-`, at most 64 characters (what every provider accepts). */
  readonly name: string;
  /** Written for the model: what the tool does, when to use it, what it returns. */
  readonly description: string;
  readonly parameters: ToolParameters;
  readonly risk: ToolRisk;
  execute(args: Args, context: ToolContext): Promise<ToolOutput>;
}

export const TOOL_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
