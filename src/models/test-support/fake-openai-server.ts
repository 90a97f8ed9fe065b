import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './listen-on-loopback.js';

/**
 * A loopback HTTP server that speaks the OpenAI chat-completions protocol (streaming), standing in for paid
 * APIs in tests. The requested model name picks a behaviour, including faults.
 */
export interface FakeOpenAIServer {
  baseUrl: string;
  /** Every request body received, in order. */
  requests: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

const chunk = (payload: Record<string, unknown>) => `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', model: 'fake', ...payload })}\n\n`;
const delta = (d: Record<string, unknown>, finish: string | null = null) => chunk({ choices: [{ index: 0, delta: d, finish_reason: finish }] });

/** A scripted reply that calls tools (streamed as real servers do: id and name first, arguments in fragments). */
export interface ScriptedToolReply {
  /** Text before the calls (a model "thinking aloud"). */
  text?: string;
  /** Arguments are sent exactly as given, so a test can script malformed JSON. */
  toolCalls: Array<{ id?: string; name: string; arguments: string }>;
}

/** A model of the test's own: canned replies, and optionally an older server's refusal of structured output. */
export interface ScriptedModel {
  /** Replies, one per request, in order; the last one repeats. A string is a text reply. */
  replies: Array<string | ScriptedToolReply>;
  /** Answer with a 400 naming `tools` when a request offers tools, as servers and models without tool support do. */
  rejectTools?: boolean;
  /** response_format types answered with a 400, as servers from before structured output do. */
  rejectFormats?: Array<'json_schema' | 'json_object'>;
  /** Default 10 prompt and 5 completion tokens per reply. */
  usage?: { prompt_tokens: number; completion_tokens: number };
}

export interface FakeOpenAIServerOptions {
  /** Extra models by name, tried before the built-in ones. */
  scripted?: Record<string, ScriptedModel>;
}

export async function startFakeOpenAIServer(options: FakeOpenAIServerOptions = {}): Promise<FakeOpenAIServer> {
  const requests: Array<Record<string, unknown>> = [];
  const counts = new Map<string, number>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'GET' && req.url === '/v1/models') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [{ id: 'ok', object: 'model' }, { id: 'tools', object: 'model' }] }));
      return;
    }
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      const body = JSON.parse(raw) as Record<string, unknown>;
      requests.push(body);
      const model = String(body['model']);
      const n = (counts.get(model) ?? 0) + 1;
      counts.set(model, n);
      const sse = () => res.writeHead(200, { 'content-type': 'text/event-stream' });
      const end = () => res.end('data: [DONE]\n\n');
      const scripted = Object.hasOwn(options.scripted ?? {}, model) ? options.scripted![model] : undefined;
      if (scripted) {
        const format = (body['response_format'] as { type?: string } | undefined)?.type;
        if (format && scripted.rejectFormats?.includes(format as 'json_schema' | 'json_object')) {
          counts.set(model, n - 1); // A refused request does not use up a reply.
          res.writeHead(400, { 'content-type': 'application/json' });
          return res.end(JSON.stringify({ error: { message: `response_format type "${format}" is not supported`, type: 'invalid_request_error' } }));
        }
        if (scripted.rejectTools && Array.isArray(body['tools'])) {
          counts.set(model, n - 1);
          res.writeHead(400, { 'content-type': 'application/json' });
          return res.end(JSON.stringify({ error: { message: `${model} does not support tools`, type: 'invalid_request_error' } }));
        }
        const scriptedReply = scripted.replies[Math.min(n, scripted.replies.length) - 1] ?? '';
        if (typeof scriptedReply !== 'string') {
          sse();
          if (scriptedReply.text) res.write(delta({ role: 'assistant', content: scriptedReply.text }));
          scriptedReply.toolCalls.forEach((call, index) => {
            const cut = Math.ceil(call.arguments.length / 2);
            res.write(delta({ tool_calls: [{ index, id: call.id ?? `call_${n}_${index}`, type: 'function', function: { name: call.name, arguments: call.arguments.slice(0, cut) } }] }));
            if (call.arguments.length > cut) res.write(delta({ tool_calls: [{ index, function: { arguments: call.arguments.slice(cut) } }] }));
          });
          res.write(delta({}, 'tool_calls'));
          res.write(chunk({ choices: [], usage: scripted.usage ?? { prompt_tokens: 10, completion_tokens: 5 } }));
          return end();
        }
        const reply = scriptedReply;
        const half = Math.ceil(reply.length / 2);
        sse();
        res.write(delta({ role: 'assistant', content: reply.slice(0, half) }));
        if (reply.length > half) res.write(delta({ content: reply.slice(half) }));
        res.write(delta({}, 'stop'));
        res.write(chunk({ choices: [], usage: scripted.usage ?? { prompt_tokens: 10, completion_tokens: 5 } }));
        return end();
      }
      switch (model) {
        case 'ok':
          sse();
          res.write(delta({ role: 'assistant', content: 'Hello' }));
          res.write(delta({ content: ' world' }));
          res.write(delta({}, 'stop'));
          res.write(chunk({ choices: [], usage: { prompt_tokens: 12, completion_tokens: 2 } }));
          return end();
        case 'tools':
          sse();
          // Two parallel calls, their argument fragments interleaved; id and name only in the first delta.
          res.write(delta({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'search', arguments: '{"que' } }] }));
          res.write(delta({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'calc', arguments: '{"expr":' } }] }));
          res.write(delta({ tool_calls: [{ index: 0, function: { arguments: 'ry":"gearbox"}' } }] }));
          res.write(delta({ tool_calls: [{ index: 1, function: { arguments: '"2+2"}' } }] }));
          res.write(delta({}, 'tool_calls'));
          return end();
        case 'rate-limit-once':
          if (n === 1) {
            res.writeHead(429, { 'retry-after': '2', 'content-type': 'application/json' });
            return res.end(JSON.stringify({ error: { message: 'slow down' } }));
          }
          sse();
          res.write(delta({ content: 'after the wait' }, 'stop'));
          return end();
        case 'error-500':
          res.writeHead(500, { 'content-type': 'application/json' });
          return res.end(JSON.stringify({ error: { message: 'boom' } }));
        case 'bad-key':
          res.writeHead(401, { 'content-type': 'application/json' });
          return res.end(JSON.stringify({ error: { message: 'invalid api key' } }));
        case 'malformed':
          sse();
          res.write('data: {"choices": [ not json\n\n');
          return end();
        case 'drop':
          sse();
          res.write(delta({ content: 'partial ' }));
          setTimeout(() => res.socket?.destroy(), 20);
          return;
        case 'no-finish':
          sse();
          res.write(delta({ content: 'cut short' }));
          return res.end();
        case 'slow':
          setTimeout(() => {
            if (res.writableEnded || res.destroyed) return;
            sse();
            res.write(delta({ content: 'late' }, 'stop'));
            end();
          }, 500);
          return;
        case 'cite':
          sse();
          // A grounded answer citing source 1 (marker split across events), and one source that does not exist.
          res.write(delta({ content: 'Replace the gearbox oil every 18 months [' }));
          res.write(delta({ content: '1]. See also [9].' }));
          res.write(delta({}, 'stop'));
          res.write(chunk({ choices: [], usage: { prompt_tokens: 321, completion_tokens: 17 } }));
          return end();
        case 'echo-format':
          sse();
          res.write(delta({ content: JSON.stringify(body['response_format'] ?? null) }, 'stop'));
          return end();
        default:
          res.writeHead(404, { 'content-type': 'application/json' });
          return res.end(JSON.stringify({ error: { message: `model ${model} not found` } }));
      }
    });
  });
  return { ...(await listenOnLoopback(server)), requests };
}
