import { answerQuestion, chooseModel } from '../answer-question.js';
import { chooseStreamFormat, startEventStream, type EventWriter } from '../event-stream.js';
import { toHttpError } from '../http-error.js';
import { requireCollection } from '../scoped-search.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { ApiError, AskBody, AskResponse, StreamQuery } from '../schemas/api-schemas.js';

export const ASK_STREAM_DESCRIPTION = [
  'Streamed by default. SSE (`text/event-stream`, the default) or NDJSON (`Accept: application/x-ndjson` or `?format=ndjson`);',
  '`?format=json` or `Accept: application/json` gives one JSON object at the end instead.',
  'Events, each a JSON object with a `type` (in SSE also the event name):',
  '`hits` {hits} — the retrieved passages, before the answer;',
  '`text` {delta} — answer text as it is written (an extractive answer comes as one delta);',
  '`answer` {answer} — the final answer: its text with [n] markers and the citations they refer to;',
  '`error` {error: {code, message}} — the answer failed after the stream began; the stream ends.',
].join(' ');

/** Sends an error as the last event of a stream that has already begun (its status is already 200). */
export function streamError(stream: EventWriter, error: unknown): void {
  const e = toHttpError(error);
  stream.send({ type: 'error', error: { code: e.code, message: e.message } });
}

export const askRoutes: RouteSpec[] = [
  defineRoute({
    method: 'POST',
    path: '/api/ask',
    operationId: 'ask',
    summary: 'Answer a question from the documents, with citations, streamed',
    description: ASK_STREAM_DESCRIPTION,
    tag: 'answers',
    surface: 'api',
    access: 'key',
    body: AskBody,
    query: StreamQuery,
    responses: {
      200: { description: 'The answer stream (or, with format=json, the answer)', schema: AskResponse, contentTypes: ['text/event-stream', 'application/x-ndjson', 'application/json'] },
      400: { description: 'Invalid request', schema: ApiError },
      404: { description: 'No such collection or model', schema: ApiError },
      503: { description: 'Work queue full', schema: ApiError },
    },
    async handle({ app, principal, body, req, res, url, signal }) {
      // Checked before the stream starts, so that an unknown collection is a 404, not an error event.
      if (body.collection !== undefined) await requireCollection(app, principal, body.collection);
      const model = chooseModel(app, body.model);
      const format = chooseStreamFormat(req, url.searchParams);
      const ask = { app, principal, question: body.question, collection: body.collection, mode: body.mode, k: body.k, model, steps: body.steps, signal };
      if (format === 'json') return { body: await app.queue.run(() => answerQuestion(ask), { signal }) };
      // The slot is taken before the stream starts, so a full queue is still a plain 503.
      await app.queue.run(async () => {
        const stream = startEventStream(res, format);
        try {
          const { answer } = await answerQuestion({
            ...ask,
            onHits: (hits) => stream.send({ type: 'hits', hits }),
            onText: (delta) => stream.send({ type: 'text', delta }),
          });
          stream.send({ type: 'answer', answer });
        } catch (error) {
          streamError(stream, error);
          app.logger.log('warn', 'ask failed while streaming', { error: String(error) });
        } finally {
          stream.end();
        }
      }, { signal });
    },
  }),
];
