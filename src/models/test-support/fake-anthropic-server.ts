import { createServer, type Server } from 'node:http';
import { listenOnLoopback } from './listen-on-loopback.js';

/** A loopback server speaking Anthropic's messages API (streaming); the model name picks the behaviour. */
export interface FakeAnthropicServer {
  baseUrl: string;
  requests: Array<{ headers: Record<string, string | string[] | undefined>; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

const event = (type: string, payload: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, ...payload })}\n\n`;

export async function startFakeAnthropicServer(): Promise<FakeAnthropicServer> {
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
