import type { Span } from '@opentelemetry/api';
import { activeTracing, type ContentPolicy } from './tracing-state.js';

/** True when inputs and outputs are being recorded: callers skip building them (lists of hits…) otherwise. */
export function isRecordingContent(span: Span): boolean {
  return span.isRecording() && activeTracing()?.content.record === true;
}

/**
 * One recorded text as it is stored: redacted, then cut to the policy's length. It is cut (generously)
 * before redaction too, so masking a 1 MB document costs no more than masking what is kept.
 */
export function contentText(policy: ContentPolicy, text: string): string {
  const max = policy.maxChars;
  const head = text.length > max * 2 ? text.slice(0, max * 2) : text;
  const redacted = policy.redact ? policy.redact(head) : head;
  if (text.length <= max && redacted.length <= max) return redacted;
  return `${redacted.slice(0, max)}… [${text.length - Math.min(max, text.length)} more characters]`;
}

function limitStrings(policy: ContentPolicy, value: unknown): unknown {
  if (typeof value === 'string') return contentText(policy, value);
  if (Array.isArray(value)) return value.map((v) => limitStrings(policy, v));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, limitStrings(policy, v)]));
  return value;
}

/**
 * An input or output ready to store: a string is redacted and cut; a structure (messages, retrieved
 * passages) has each of its strings redacted and cut and is written as JSON, so it stays parseable.
 */
export function contentValue(policy: ContentPolicy, value: unknown): string {
  if (typeof value === 'string') return contentText(policy, value);
  const json = JSON.stringify(limitStrings(policy, value)) ?? String(value);
  // A safety net for very long lists: the whole attribute is bounded too.
  const cap = policy.maxChars * 16;
  return json.length <= cap ? json : `${json.slice(0, cap)}… [${json.length - cap} more characters]`;
}

/**
 * Writes an input or output (a prompt, retrieved text, an answer) on a span as the attribute `key`, only
 * when content recording is on. `value` may be a function, called only then, for values costly to build.
 */
export function recordContent(span: Span, key: string, value: unknown): void {
  const policy = activeTracing()?.content;
  if (!policy?.record || !span.isRecording()) return;
  span.setAttribute(key, contentValue(policy, typeof value === 'function' ? (value as () => unknown)() : value));
}
