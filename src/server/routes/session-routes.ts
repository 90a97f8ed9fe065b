import { chatTurn, type SessionInfo } from '../../index.js';
import { chooseModel } from '../answer-question.js';
import { chooseStreamFormat, startEventStream } from '../event-stream.js';
import { badRequest, HttpError, notFound } from '../http-error.js';
import { canSee, type Principal } from '../principal.js';
import { requireCollection } from '../scoped-search.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { ApiError, CreateSessionBody, Deleted, SessionDetail, SessionList, SessionMessageBody, SessionMessageResponse, SessionResponse, StreamQuery } from '../schemas/api-schemas.js';
import type { ServerContext } from '../server-context.js';
import { ASK_STREAM_DESCRIPTION, streamError } from './ask-routes.js';

/**
 * Conversations belong to whoever started them: the local user sees every session, a key only its own,
 * and only while their collection is in its scope.
 */
function visible(principal: Principal, session: SessionInfo): boolean {
  if (principal.keyId === null) return true;
  const collection = session.settings['collection'];
  const inScope = typeof collection === 'string' ? canSee(principal, collection) : principal.collections === '*';
  return session.settings['keyId'] === principal.keyId && inScope;
}

async function findSession(app: ServerContext, principal: Principal, id: string): Promise<SessionInfo> {
  const session = await app.sessions.getSession(id);
  if (!session || !visible(principal, session)) throw notFound(`No session "${id}"`);
  return session;
}

const missing = { 404: { description: 'No such session (or not this caller’s)', schema: ApiError } };

export const sessionRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    path: '/api/sessions',
    operationId: 'listSessions',
    summary: "This caller's conversations, most recent first",
    tag: 'sessions',
    surface: 'api',
    access: 'key',
    responses: { 200: { description: 'The sessions', schema: SessionList } },
    async handle({ app, principal }) {
      return { body: { sessions: (await app.sessions.listSessions()).filter((s) => visible(principal, s)) } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/api/sessions',
    operationId: 'createSession',
    summary: 'Start a conversation over a collection (or all the caller may see), with a model or extractive answers',
    tag: 'sessions',
    surface: 'api',
    access: 'key',
    body: CreateSessionBody,
    responses: {
      201: { description: 'Created', schema: SessionResponse },
      400: { description: 'Invalid request', schema: ApiError },
      404: { description: 'No such collection or model', schema: ApiError },
      409: { description: 'A session with this id exists', schema: ApiError },
    },
    async handle({ app, principal, body }) {
      if (body.collection !== undefined) {
        await requireCollection(app, principal, body.collection);
      } else if (principal.collections !== '*') {
        throw badRequest('Name the collection this conversation searches: this key is limited to some collections');
      }
      if (body.model !== undefined) chooseModel(app, body.model);
      const taken = async () => body.id !== undefined && (await app.sessions.getSession(body.id)) !== undefined;
      const conflict = () => new HttpError({ status: 409, code: 'CONFLICT', message: `A session "${body.id}" exists` });
      if (await taken()) throw conflict();
      try {
        const session = await app.sessions.createSession({
          id: body.id,
          title: body.title,
          settings: { collection: body.collection, model: body.model, ...(principal.keyId ? { keyId: principal.keyId } : {}) },
        });
        return { status: 201, body: { session } };
      } catch (error) {
        // Another server on the same database made it between the check and the insert.
        if (await taken()) throw conflict();
        throw error;
      }
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/api/sessions/:id',
    operationId: 'getSession',
    summary: 'A conversation with its turns (answers keep their citations)',
    tag: 'sessions',
    surface: 'api',
    access: 'key',
    responses: { 200: { description: 'The session', schema: SessionDetail }, ...missing },
    async handle({ app, principal, params }) {
      const session = await findSession(app, principal, params['id']!);
      return { body: { session, turns: await app.sessions.turns(session.id) } };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/api/sessions/:id',
    operationId: 'deleteSession',
    summary: 'Delete a conversation',
    tag: 'sessions',
    surface: 'api',
    access: 'key',
    responses: { 200: { description: 'Deleted', schema: Deleted }, ...missing },
    async handle({ app, principal, params }) {
      const session = await findSession(app, principal, params['id']!);
      return { body: { deleted: await app.sessions.deleteSession(session.id) } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/api/sessions/:id/messages',
    operationId: 'sendSessionMessage',
    summary: 'Ask the next question of a conversation: follow-ups are rewritten to stand alone, memory is kept',
    description: `${ASK_STREAM_DESCRIPTION} Here \`hits\` comes after the text. The \`answer\` event also carries \`standalone\` (the question retrieval used) and \`condensed\` (how it was obtained). Turns of one session run one at a time.`,
    tag: 'sessions',
    surface: 'api',
    access: 'key',
    body: SessionMessageBody,
    query: StreamQuery,
    responses: {
      200: { description: 'The answer stream (or, with format=json, the answer)', schema: SessionMessageResponse, contentTypes: ['text/event-stream', 'application/x-ndjson', 'application/json'] },
      503: { description: 'Work queue full', schema: ApiError },
      ...missing,
    },
    async handle({ app, principal, params, body, req, res, url, signal }) {
      const session = await findSession(app, principal, params['id']!);
      const collection = typeof session.settings['collection'] === 'string' ? session.settings['collection'] : undefined;
      const model = chooseModel(app, typeof session.settings['model'] === 'string' ? session.settings['model'] : undefined);
      const format = chooseStreamFormat(req, url.searchParams);
      const embedder = body.mode === 'keyword' ? undefined : collection ? await app.embedders.forCollection(collection) : app.embedders.defaultEmbedder;
      const turn = (onText?: (delta: string) => void) =>
        app.inSession(session.id, () =>
          chatTurn({
            store: app.store,
            sessions: app.sessions,
            sessionId: session.id,
            question: body.question,
            model: model?.model,
            embedder,
            k: body.k,
            mode: body.mode,
            filter: { collection },
            onText,
            signal,
          }),
        );
      if (format === 'json') {
        const result = await app.queue.run(() => turn(), { signal });
        return { body: { answer: result.answer, standalone: result.condensed.standalone, condensed: result.condensed.method } };
      }
      await app.queue.run(async () => {
        const stream = startEventStream(res, format);
        try {
          const result = await turn((delta) => stream.send({ type: 'text', delta }));
          stream.send({ type: 'hits', hits: result.hits });
          stream.send({ type: 'answer', answer: result.answer, standalone: result.condensed.standalone, condensed: result.condensed.method });
        } catch (error) {
          streamError(stream, error);
        } finally {
          stream.end();
        }
      }, { signal });
    },
  }),
];
