import { LoreError } from '../../spec/errors.js';

/**
 * Server-sent events from a fetch body: yields each event's `data` (multi-line data joined by "\n").
 * Tolerates CRLF and comments; a body that ends in the middle of an event drops that partial event.
 */
export async function* readSse(body: ReadableStream<Uint8Array>, signal?: AbortSignal): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let buffer = '';
  let data: string[] = [];
  try {
    for (;;) {
      if (signal?.aborted) throw new LoreError({ code: 'ABORTED', message: 'The request was cancelled' });
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline).replace(/\r$/, '');
        buffer = buffer.slice(newline + 1);
        if (line === '') {
          if (data.length > 0) yield data.join('\n');
          data = [];
        } else if (line.startsWith('data:')) {
          data.push(line.slice(5).replace(/^ /, ''));
        }
        // Other fields (event:, id:, retry:) and comments (":") carry nothing chat completions need.
      }
    }
  } finally {
    reader.releaseLock();
  }
}
