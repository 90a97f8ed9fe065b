import type { Attributes, Span, SpanStatusCode } from '@opentelemetry/api';
import { LORE } from './attributes.js';
import { spanTime } from './span-clock.js';
import { activeTracing } from './tracing-state.js';
import { failSpan, NOOP_SPAN } from './with-span.js';

const STATUS_ERROR = 2 as SpanStatusCode;

export interface RootSpan {
  span: Span;
  /** Ends the span: failed with `error`, or with `exitCode` recorded (non-zero marks it failed). */
  end(options?: { error?: unknown; exitCode?: number; attributes?: Attributes }): void;
}

/**
 * Opens the span a whole unit of work (a CLI command) hangs under, and makes it the parent of every span
 * started where no other span is active, so the command is one trace whatever async path its work takes.
 */
export function startRootSpan(options: { name: string; attributes?: Attributes }): RootSpan {
  const state = activeTracing();
  if (!state) return { span: NOOP_SPAN, end: () => {} };
  const { ROOT_CONTEXT, trace } = state.api;
  const span = state.tracer.startSpan(options.name, { attributes: options.attributes, startTime: spanTime() }, ROOT_CONTEXT);
  const rootContext = trace.setSpan(ROOT_CONTEXT, span);
  state.rootContext = rootContext;
  let ended = false;
  return {
    span,
    end(o = {}) {
      if (ended) return;
      ended = true;
      if (state.rootContext === rootContext) state.rootContext = undefined;
      if (o.attributes) span.setAttributes(o.attributes);
      if (o.exitCode !== undefined) span.setAttribute(LORE.exitCode, o.exitCode);
      if (o.error !== undefined) failSpan(span, o.error);
      else if (o.exitCode) span.setStatus({ code: STATUS_ERROR, message: `exit code ${o.exitCode}` });
      span.end(spanTime());
    },
  };
}
