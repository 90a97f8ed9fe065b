import { countTokens } from '../../index.js';
import { badRequest, notFound } from '../http-error.js';
import { canSee, type Principal } from '../principal.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { EmbeddingBody, EmbeddingList, Model, ModelList, OpenAIError } from '../schemas/openai-schemas.js';
import type { ServerContext } from '../server-context.js';
import { LORE_MODEL_PREFIX } from './openai-chat-routes.js';

async function models(app: ServerContext, principal: Principal) {
  const created = (iso: string) => Math.floor(Date.parse(iso) / 1000) || 0;
  return [
    ...(await app.store.listCollections())
      .filter((c) => canSee(principal, c.name))
      .map((c) => ({ id: `${LORE_MODEL_PREFIX}${c.name}`, object: 'model' as const, created: created(c.createdAt), owned_by: 'lore' })),
    ...app.models.models.map((m) => ({ id: m.name, object: 'model' as const, created: 0, owned_by: m.provider })),
  ];
}

export const openaiModelRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    path: '/v1/models',
    operationId: 'listModels',
    summary: 'lore/<collection> for each collection the caller may see, then the models the server was started with',
    tag: 'openai',
    surface: 'openai',
    access: 'key',
    responses: { 200: { description: 'The models', schema: ModelList }, 401: { description: 'Missing or invalid API key', schema: OpenAIError } },
    async handle({ app, principal }) {
      return { body: { object: 'list', data: await models(app, principal) } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/models/:id',
    operationId: 'retrieveModel',
    summary: 'One model',
    tag: 'openai',
    surface: 'openai',
    access: 'key',
    responses: { 200: { description: 'The model', schema: Model }, 404: { description: 'No such model', schema: OpenAIError } },
    async handle({ app, principal, params }) {
      const model = (await models(app, principal)).find((m) => m.id === params['id']);
      if (!model) throw notFound(`The model \`${params['id']}\` does not exist or you do not have access to it.`, 'model_not_found');
      return { body: model };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/v1/embeddings',
    operationId: 'createEmbedding',
    summary: 'OpenAI-compatible embeddings: `local` is the bundled USE-lite model (512 dimensions, English)',
    description: 'Accepts `encoding_format` float or base64 (little-endian float32, what OpenAI’s Node client asks for by default).',
    tag: 'openai',
    surface: 'openai',
    access: 'key',
    body: EmbeddingBody,
    responses: {
      200: { description: 'The vectors', schema: EmbeddingList },
      400: { description: 'Invalid request', schema: OpenAIError },
      404: { description: 'No such embedding model', schema: OpenAIError },
      503: { description: 'Work queue full', schema: OpenAIError },
    },
    async handle({ app, body, signal }) {
      const embedder = app.embedders.byName(body.model);
      if (!embedder) throw notFound(`The model \`${body.model}\` does not exist or you do not have access to it.`, 'model_not_found');
      if (body.dimensions !== undefined && body.dimensions !== embedder.dimensions) {
        throw badRequest(`${body.model} makes ${embedder.dimensions}-dimensional vectors only`);
      }
      const inputs = typeof body.input === 'string' ? [body.input] : body.input;
      const vectors = await app.queue.run(() => embedder.embed(inputs, { signal }), { signal });
      const tokens = inputs.reduce((sum, text) => sum + countTokens(text), 0);
      return {
        body: {
          object: 'list',
          data: vectors.map((v, index) => ({
            object: 'embedding',
            index,
            embedding: body.encoding_format === 'base64' ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') : Array.from(v),
          })),
          model: body.model,
          usage: { prompt_tokens: tokens, total_tokens: tokens },
        },
      };
    },
  }),
];
