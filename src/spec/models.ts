/** Turns texts into vectors. Implementations: the bundled USE-lite model; remote and GGUF ones later. */
export interface EmbeddingModel {
  /** Stable id, part of the embedding cache key: change it when the vectors would change. */
  readonly id: string;
  readonly dimensions: number;
  /**
   * BCP 47 language codes the model represents well (e.g. ["en"]); empty means any. Retrieval uses this to
   * let keyword search carry queries and passages in other languages instead of fusing in noise.
   */
  readonly languages: readonly string[];
  /** Unit-length vectors, one per text, in order. */
  embed(texts: string[], options?: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void }): Promise<Float32Array[]>;
  /** Frees threads and memory; the model can be used again afterwards (it reloads lazily). */
  close?(): Promise<void>;
}

export interface ToolSpec {
  name: string;
  description?: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
}

export interface ToolCall {
  id: string;
  name: string;
  /** The arguments as the model wrote them (a JSON text; parse and validate before use). */
  arguments: string;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  /** Assistant turns that called tools. */
  toolCalls?: ToolCall[];
  /** Tool turns: the call this is the result of. */
  toolCallId?: string;
}

export type ResponseFormat = { type: 'text' } | { type: 'json' } | { type: 'json_schema'; name?: string; schema: Record<string, unknown> };

export interface GenerateRequest {
  messages: ChatMessage[];
  tools?: ToolSpec[];
  /** `auto` (default): the model may answer or call a tool; `required`: it must call one. */
  toolChoice?: 'auto' | 'required';
  responseFormat?: ResponseFormat;
  maxTokens?: number;
  temperature?: number;
  stop?: string[];
  signal?: AbortSignal;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  /** True when the provider reported no counts and Lore estimated them from the text. */
  estimated?: boolean;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'other';

export interface GenerateResult {
  text: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  usage?: Usage;
  /** The model that answered, as the provider names it. */
  model: string;
}

/** What a stream yields: text as it comes, tool calls as they complete, then usage and the finish reason. */
export type GenerateEvent =
  | { type: 'text'; delta: string }
  | { type: 'tool_call_delta'; index: number; id?: string; name?: string; argumentsDelta: string }
  | { type: 'tool_call'; call: ToolCall }
  | { type: 'usage'; usage: Usage }
  | { type: 'finish'; reason: FinishReason };

/** A chat model: a remote API, a local server, or a GGUF file run in-process. */
export interface LanguageModel {
  readonly id: string;
  generate(request: GenerateRequest): Promise<GenerateResult>;
  stream(request: GenerateRequest): AsyncIterable<GenerateEvent>;
  /** Frees what the model holds (a GGUF model's weights and threads); it loads again on the next request. */
  close?(): Promise<void>;
}
