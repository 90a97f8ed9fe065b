import type { Context, Tracer } from '@opentelemetry/api';

/** Masks what must not leave the process in a recorded input or output (e-mails, keys, card numbers…). */
export type Redactor = (text: string) => string;

/** Whether and how inputs and outputs (prompts, retrieved text, answers) are written on spans. */
export interface ContentPolicy {
  record: boolean;
  /** Longest recorded text, in characters; the rest is cut with a note of how much. */
  maxChars: number;
  redact: Redactor | undefined;
}

/** The OpenTelemetry API, loaded by `startTracing`: instrumented modules never import it themselves. */
export type OpenTelemetryApi = typeof import('@opentelemetry/api');

/** The tracing this process runs: at most one, installed by `startTracing`. */
export interface TracingState {
  api: OpenTelemetryApi;
  tracer: Tracer;
  content: ContentPolicy;
  /**
   * The parent of spans started where no span is active: a command's root span. A CLI command is one
   * trace even where work starts outside the async context that opened it (commander hooks, timers).
   */
  rootContext: Context | undefined;
}

// Module state rather than an object passed everywhere: instrumented code (ingest, search, model calls) must
// cost nothing when tracing is off — not even loading the OpenTelemetry API (tens of milliseconds at start-up)
// — and threading a tracer through every options object would touch every signature for a concern none has.
let current: TracingState | undefined;

export function activeTracing(): TracingState | undefined {
  return current;
}

export function setActiveTracing(state: TracingState | undefined): void {
  current = state;
}

/** True while tracing is running in this process: callers may skip building attributes otherwise. */
export function isTracing(): boolean {
  return current !== undefined;
}
