import type { Attributes, Context, Span, SpanContext, SpanStatusCode } from '@opentelemetry/api';
import { isLoreError } from '../spec/errors.js';
import { LORE } from './attributes.js';
import { spanTime } from './span-clock.js';
import { activeTracing, type TracingState } from './tracing-state.js';

// OpenTelemetry's status code for a failure; fixed by the specification (UNSET 0, OK 1, ERROR 2). Written
// as a number so this module needs no runtime import of the API.
const STATUS_ERROR = 2 as SpanStatusCode;

const INVALID_CONTEXT: SpanContext = { traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 0 };

/** What instrumented code receives when tracing is off: every call on it does nothing. */
export const NOOP_SPAN: Span = {
  spanContext: () => INVALID_CONTEXT,
  setAttribute: () => NOOP_SPAN,
  setAttributes: () => NOOP_SPAN,
  addEvent: () => NOOP_SPAN,
  addLink: () => NOOP_SPAN,
  addLinks: () => NOOP_SPAN,
  setStatus: () => NOOP_SPAN,
  updateName: () => NOOP_SPAN,
  end: () => {},
  isRecording: () => false,
  recordException: () => {},
};

function parentContext(state: TracingState): Context {
  const active = state.api.context.active();
  return state.rootContext && !state.api.trace.getSpan(active) ? state.rootContext : active;
}

/** Marks a span failed with the error's code and message, as collectors expect (status + exception event). */
export function failSpan(span: Span, error: unknown): void {
  if (!span.isRecording()) return;
  const e = error instanceof Error ? error : new Error(String(error));
  span.recordException(e, spanTime());
  span.setStatus({ code: STATUS_ERROR, message: e.message.slice(0, 1000) });
  span.setAttribute('error.type', isLoreError(error) ? error.code : e.name);
  if (isLoreError(error)) span.setAttribute(LORE.errorCode, error.code);
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * Runs `fn` inside a span named `name` (sync or async: the span ends when the promise settles), records a
 * thrown error on it and rethrows. With tracing off this is a plain call of `fn` with a span that records
 * nothing: no context switch, no allocation beyond the caller's attribute object.
 */
export function withSpan<T>(name: string, attributes: Attributes | undefined, fn: (span: Span) => T): T {
  const state = activeTracing();
  if (!state) return fn(NOOP_SPAN);
  const parent = parentContext(state);
  const span = state.tracer.startSpan(name, { attributes, startTime: spanTime() }, parent);
  let result: T;
  try {
    result = state.api.context.with(state.api.trace.setSpan(parent, span), fn, undefined, span);
  } catch (error) {
    failSpan(span, error);
    span.end(spanTime());
    throw error;
  }
  if (isPromiseLike(result)) {
    return result.then(
      (value) => {
        span.end(spanTime());
        return value;
      },
      (error: unknown) => {
        failSpan(span, error);
        span.end(spanTime());
        throw error;
      },
    ) as T;
  }
  span.end(spanTime());
  return result;
}

/**
 * A span the caller ends itself (with `span.end(spanTime())`), for work that is not one function call (a
 * stream consumed by someone else). It is not made active: spans started meanwhile elsewhere keep their own parents. `client` marks
 * a call to another service (a model server), as the GenAI conventions ask.
 */
export function startSpan(options: { name: string; attributes?: Attributes; kind?: 'internal' | 'client' }): Span {
  const state = activeTracing();
  if (!state) return NOOP_SPAN;
  const kind = options.kind === 'client' ? state.api.SpanKind.CLIENT : state.api.SpanKind.INTERNAL;
  return state.tracer.startSpan(options.name, { attributes: options.attributes, kind, startTime: spanTime() }, parentContext(state));
}

/** Runs `fn` with `span` as the active span, so spans it starts are its children. */
export function withActiveSpan<T>(span: Span, fn: () => T): T {
  const state = activeTracing();
  if (!state || !span.isRecording()) return fn();
  return state.api.context.with(state.api.trace.setSpan(state.api.context.active(), span), fn);
}
