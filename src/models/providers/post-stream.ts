import { isLoreError, LoreError } from '../../spec/errors.js';

/** Seconds or an HTTP date, as Retry-After allows; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

export interface PostStreamOptions {
  url: string;
  headers: Record<string, string>;
  body: unknown;
  /** The caller's cancellation. */
  signal?: AbortSignal;
  /** Milliseconds to wait for the response headers. */
  timeoutMs: number;
}

/**
 * POSTs a JSON request that answers with a server-sent-event stream, and turns every way it can fail
 * before the stream starts into a LoreError that says whether trying again may help: cancelled, timed
 * out, unreachable, rate limited (with Retry-After), or an HTTP error with the provider's own message.
 */
export async function postForStream(o: PostStreamOptions): Promise<ReadableStream<Uint8Array>> {
  const response = await post(o, 'text/event-stream');
  if (!response.body) throw new LoreError({ code: 'PROVIDER_ERROR', message: `${o.url} sent an empty response`, retryable: true });
  return response.body;
}

/** POSTs a JSON request that answers with JSON (embeddings, model lists), with the same errors as above. */
export async function postJson(o: PostStreamOptions): Promise<unknown> {
  const response = await post(o, 'application/json');
  const text = await response.text().catch((cause: unknown) => {
    throw streamFailure(o.url, cause, o.signal);
  });
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new LoreError({ code: 'PROVIDER_ERROR', message: `${o.url} sent a response that is not JSON: ${text.slice(0, 80)}`, retryable: true, cause });
  }
}

async function post(o: PostStreamOptions, accept: string): Promise<Response> {
  const timeout = AbortSignal.timeout(o.timeoutMs);
  let response: Response;
  try {
    response = await fetch(o.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept, ...o.headers },
      body: JSON.stringify(o.body),
      signal: o.signal ? AbortSignal.any([o.signal, timeout]) : timeout,
    });
  } catch (cause) {
    if (o.signal?.aborted) throw new LoreError({ code: 'ABORTED', message: 'The request was cancelled', cause });
    if (timeout.aborted) throw new LoreError({ code: 'TIMEOUT', message: `${o.url} did not answer within ${o.timeoutMs} ms`, retryable: true, cause });
    throw new LoreError({ code: 'PROVIDER_ERROR', message: `Could not reach ${o.url}: ${(cause as Error)?.message ?? cause}`, hint: 'is the server running?', retryable: true, cause });
  }
  if (!response.ok) throw await httpError(o.url, response);
  return response;
}

/** OpenAI and Anthropic both put the reason in `{ error: { message } }`; 529 is Anthropic's "overloaded". */
async function httpError(url: string, response: Response): Promise<LoreError> {
  const text = await response.text().catch(() => '');
  let message = text.slice(0, 300);
  try {
    message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
  } catch {
    // Not JSON: keep the text.
  }
  const status = response.status;
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
  if (status === 429) return new LoreError({ code: 'RATE_LIMITED', message: `${url} is rate limiting (429): ${message}`, retryable: true, retryAfterMs });
  const retryable = status >= 500 || status === 408;
  const hint = status === 401 || status === 403 ? 'check the API key' : status === 404 ? 'check the base URL and the model name' : undefined;
  return new LoreError({ code: 'PROVIDER_ERROR', message: `${url} answered ${status}: ${message}`, hint, retryable, retryAfterMs });
}

/** A failure while reading the stream: cancellation stays cancellation, anything else is a broken connection. */
export function streamFailure(url: string, cause: unknown, signal?: AbortSignal): LoreError {
  if (isLoreError(cause)) return cause;
  if (signal?.aborted) return new LoreError({ code: 'ABORTED', message: 'The request was cancelled', cause });
  return new LoreError({ code: 'PROVIDER_ERROR', message: `The connection to ${url} broke mid-answer: ${(cause as Error)?.message ?? cause}`, retryable: true, cause });
}
