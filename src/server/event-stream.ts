import type { IncomingMessage, ServerResponse } from 'node:http';

export type StreamFormat = 'sse' | 'ndjson';

/** One streamed event: a `type` and its fields; SSE sends the type as the event name too. */
export interface StreamEvent {
  type: string;
  [field: string]: unknown;
}

export interface EventWriter {
  readonly format: StreamFormat;
  send(event: StreamEvent): void;
  end(): void;
}

/**
 * The format a client asked for: `?format=` first, then Accept (`application/x-ndjson` → NDJSON), else SSE,
 * which browsers and most HTTP tools read. `json` means no stream at all.
 */
export function chooseStreamFormat(req: IncomingMessage, query: URLSearchParams): StreamFormat | 'json' {
  const asked = query.get('format');
  if (asked === 'sse' || asked === 'ndjson' || asked === 'json') return asked;
  const accept = String(req.headers.accept ?? '');
  if (accept.includes('application/x-ndjson') || accept.includes('application/ndjson')) return 'ndjson';
  if (accept.includes('text/event-stream')) return 'sse';
  if (accept.includes('application/json') && !accept.includes('*/*')) return 'json';
  return 'sse';
}

/** Starts a streamed response. Proxies are told not to buffer it; a comment every 15 s keeps it open. */
export function startEventStream(res: ServerResponse, format: StreamFormat): EventWriter {
  res.writeHead(200, {
    'content-type': format === 'sse' ? 'text/event-stream; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    'x-accel-buffering': 'no',
  });
  res.flushHeaders();
  const keepAlive = setInterval(() => {
    if (!res.writableEnded) res.write(format === 'sse' ? ': keep-alive\n\n' : '\n');
  }, 15_000);
  keepAlive.unref();
  return {
    format,
    send(event) {
      if (res.writableEnded || res.destroyed) return;
      const json = JSON.stringify(event);
      res.write(format === 'sse' ? `event: ${event.type}\ndata: ${json}\n\n` : `${json}\n`);
    },
    end() {
      clearInterval(keepAlive);
      if (!res.writableEnded) res.end();
    },
  };
}
