import { createServer, type Server } from 'node:http';
import { listenOnLoopback } from './listen-on-loopback.js';

/** A loopback server speaking Anthropic's messages API (streaming); the model name picks the behaviour. */
export interface FakeAnthropicServer {
  baseUrl: string;
  requests: Array<{ headers: Record<string, string | string[] | undefined>; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

const event = (type: string, payload: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, ...payload })}\n\n`;

/** A model of the test's own: canned replies, as text or — when the request forces a tool — as that tool's input. */
export interface ScriptedAnthropicModel {
  /** Replies, one per request, in order; the last one repeats. */
  replies: string[];
}

export interface FakeAnthropicServerOptions {
  /** Extra models by name, tried before the built-in ones. */
  scripted?: Record<string, ScriptedAnthropicModel>;
}

export async function startFakeAnthropicServer(options: FakeAnthropicServerOptions = {}): Promise<FakeAnthropicServer> {
  const counts = new Map<string, number>();
  const requests: FakeAnthropicServer['requests'] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      const body = JSON.parse(raw) as Record<string, unknown>;
      requests.push({ headers: req.headers, body });
      const start = () => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(event('message_start', { message: { id: 'm1', usage: { input_tokens: 25, output_tokens: 1 } } }));
      };
      const stop = (reason: string, output: number) => {
        res.write(event('message_delta', { delta: { stop_reason: reason }, usage: { output_tokens: output } }));
        res.end(event('message_stop', {}));
      };
      const name = String(body['model']);
      const scripted = Object.hasOwn(options.scripted ?? {}, name) ? options.scripted![name] : undefined;
      if (scripted) {
        const n = (counts.get(name) ?? 0) + 1;
        counts.set(name, n);
        const reply = scripted.replies[Math.min(n, scripted.replies.length) - 1] ?? '';
        const half = Math.ceil(reply.length / 2);
        const choice = body['tool_choice'] as { type?: string; name?: string } | undefined;
        if (choice?.type === 'tool') {
          // As the real API does: the forced tool must be offered, and a tool's input schema must be an object.
          const tool = ((body['tools'] as Array<{ name: string; input_schema?: { type?: string } }> | undefined) ?? []).find((t) => t.name === choice.name);
          if (!tool || tool.input_schema?.type !== 'object') {
            res.writeHead(400, { 'content-type': 'application/json' });
            const message = tool ? 'tools.0.input_schema.type: Input should be \'object\'' : `tool_choice names tool "${choice.name}", which is not in tools`;
            return res.end(JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message } }));
          }
          start();
          res.write(event('content_block_start', { index: 0, content_block: { type: 'tool_use', id: `toolu_${n}`, name: choice.name, input: {} } }));
          res.write(event('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: reply.slice(0, half) } }));
          res.write(event('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: reply.slice(half) } }));
          res.write(event('content_block_stop', { index: 0 }));
          return stop('tool_use', 9);
        }
        start();
        res.write(event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }));
        res.write(event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: reply.slice(0, half) } }));
        res.write(event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: reply.slice(half) } }));
        res.write(event('content_block_stop', { index: 0 }));
        return stop('end_turn', 9);
      }
      switch (body['model']) {
        case 'text':
          start();
          res.write(event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }));
          res.write(event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Bonjour' } }));
          res.write(event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: ' le monde' } }));
          res.write(': a comment line the client must ignore\n\n');
          res.write(event('content_block_stop', { index: 0 }));
          return stop('end_turn', 4);
        case 'tool':
          start();
          res.write(event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }));
          res.write(event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Let me look.' } }));
          res.write(event('content_block_start', { index: 1, content_block: { type: 'tool_use', id: 'toolu_1', name: 'search', input: {} } }));
          res.write(event('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: '{"query": "gear' } }));
          res.write(event('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: 'box"}' } }));
          res.write(event('content_block_stop', { index: 1 }));
          return stop('tool_use', 12);
        case 'overloaded':
          res.writeHead(529, { 'content-type': 'application/json' });
          return res.end(JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }));
        case 'stream-error':
          start();
          return res.end(event('error', { error: { type: 'overloaded_error', message: 'Overloaded' } }));
        case 'truncated':
          start();
          res.write(event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'half' } }));
          return res.end();
        default:
          res.writeHead(404, { 'content-type': 'application/json' });
          return res.end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: 'model not found' } }));
      }
    });
  });
  return { ...(await listenOnLoopback(server)), requests };
}
