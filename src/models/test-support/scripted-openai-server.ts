import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './listen-on-loopback.js';

export interface ScriptedRequest {
  model: string;
  messages: Array<{ role: string; content: string | null }>;
  body: Record<string, unknown>;
}

export interface ScriptedOpenAIServer {
  baseUrl: string;
  requests: ScriptedRequest[];
  close(): Promise<void>;
}

/**
 * A loopback server speaking the OpenAI chat-completions protocol (streaming) whose replies a test scripts
 * as a function of the request: a model that behaves correctly by construction (condenses a follow-up to a
 * known question, summarises to a known text), so a test measures Lore's side of the exchange.
 */
export async function startScriptedOpenAIServer(options: { reply: (request: ScriptedRequest) => string }): Promise<ScriptedOpenAIServer> {
  const requests: ScriptedRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      const body = JSON.parse(raw) as Record<string, unknown>;
      const request: ScriptedRequest = { model: String(body['model']), messages: body['messages'] as ScriptedRequest['messages'], body };
      requests.push(request);
      let text: string;
      try {
        text = options.reply(request);
      } catch (error) {
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: String(error) } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const send = (payload: Record<string, unknown>) => res.write(`data: ${JSON.stringify({ id: 's1', object: 'chat.completion.chunk', model: request.model, ...payload })}\n\n`);
      // Several deltas, split inside words, as real servers stream.
      for (let i = 0; i < text.length; i += 7) send({ choices: [{ index: 0, delta: { content: text.slice(i, i + 7) }, finish_reason: null }] });
      send({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
      const input = request.messages.reduce((n, m) => n + (m.content?.length ?? 0), 0);
      send({ choices: [], usage: { prompt_tokens: Math.ceil(input / 4), completion_tokens: Math.ceil(text.length / 4) } });
      res.end('data: [DONE]\n\n');
    });
  });
  const { baseUrl, close } = await listenOnLoopback(server);
  return { baseUrl, requests, close };
}
