import { z } from 'zod';
import { Citation } from './api-schemas.js';

// The subset of OpenAI's API that Lore serves. Requests are loose: clients send fields Lore does not use
// (top_p, user, seed…), and refusing them would break those clients for nothing.

export const OpenAIError = z.object({
  error: z.object({ message: z.string(), type: z.string(), code: z.string().nullable(), param: z.string().nullable() }),
});

const TextPart = z.looseObject({ type: z.literal('text'), text: z.string() });
const OtherPart = z.looseObject({ type: z.string() });
const Content = z.union([z.string(), z.array(z.union([TextPart, OtherPart])), z.null()]);

const ToolCallIn = z.looseObject({
  id: z.string(),
  type: z.literal('function').optional(),
  function: z.looseObject({ name: z.string(), arguments: z.string() }),
});

export const ChatMessageIn = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
  content: Content.optional(),
  name: z.string().optional(),
  tool_calls: z.array(ToolCallIn).optional(),
  tool_call_id: z.string().optional(),
});

const ToolIn = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({ name: z.string().min(1), description: z.string().optional(), parameters: z.record(z.string(), z.unknown()).optional() }),
});

const ResponseFormatIn = z.union([
  z.looseObject({ type: z.literal('text') }),
  z.looseObject({ type: z.literal('json_object') }),
  z.looseObject({ type: z.literal('json_schema'), json_schema: z.looseObject({ name: z.string().optional(), schema: z.record(z.string(), z.unknown()).optional() }) }),
]);

export const LoreChatOptions = z
  .object({
    k: z.number().int().min(1).max(50).optional(),
    mode: z.enum(['keyword', 'vector', 'hybrid']).optional(),
  })
  .meta({ description: 'Lore extension, for lore/<collection> models: retrieval depth and mode' });

export const ChatCompletionBody = z.looseObject({
  model: z.string().min(1).meta({ description: 'lore/<collection> for an answer from that collection; or a model the server was started with' }),
  messages: z.array(ChatMessageIn).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  n: z.literal(1).nullish().meta({ description: 'Only 1 is supported' }),
  tools: z.array(ToolIn).optional(),
  response_format: ResponseFormatIn.optional(),
  lore: LoreChatOptions.optional(),
});

const LoreQuery = z.object({
  query: z.string().meta({ description: 'What retrieval searched for: the last user message, or that message condensed with the earlier ones to stand alone' }),
  condensed: z.enum(['unchanged', 'model', 'lexical']).meta({ description: 'How: as written, rewritten by the answer model, or the previous question’s words added (no model)' }),
});

const Usage = z.object({ prompt_tokens: z.number().int(), completion_tokens: z.number().int(), total_tokens: z.number().int() });

const ToolCallOut = z.object({ id: z.string(), type: z.literal('function'), function: z.object({ name: z.string(), arguments: z.string() }) });

export const ChatCompletion = z.object({
  id: z.string(),
  object: z.literal('chat.completion'),
  created: z.number().int(),
  model: z.string(),
  choices: z.array(
    z.object({
      index: z.number().int(),
      message: z.looseObject({
        role: z.literal('assistant'),
        content: z.string().nullable(),
        refusal: z.null(),
        tool_calls: z.array(ToolCallOut).optional(),
        lore_citations: z.array(Citation).optional().meta({ description: 'Lore extension: the passages the [n] markers in content refer to (lore/<collection> models)' }),
        lore_query: LoreQuery.optional().meta({ description: 'Lore extension: the query retrieval used (lore/<collection> models)' }),
      }),
      finish_reason: z.enum(['stop', 'length', 'tool_calls', 'content_filter']),
      logprobs: z.null(),
    }),
  ),
  usage: Usage,
});

export const ChatCompletionChunk = z.object({
  id: z.string(),
  object: z.literal('chat.completion.chunk'),
  created: z.number().int(),
  model: z.string(),
  choices: z.array(
    z.object({
      index: z.number().int(),
      delta: z.looseObject({
        role: z.literal('assistant').optional(),
        content: z.string().optional(),
        tool_calls: z.array(z.looseObject({ index: z.number().int() })).optional(),
        lore_citations: z.array(Citation).optional().meta({ description: 'Lore extension, on the chunk that carries finish_reason' }),
        lore_query: LoreQuery.optional().meta({ description: 'Lore extension, on the chunk that carries finish_reason: the query retrieval used' }),
      }),
      finish_reason: z.enum(['stop', 'length', 'tool_calls', 'content_filter']).nullable(),
      logprobs: z.null(),
    }),
  ),
  usage: Usage.nullable().optional(),
});

export const EmbeddingBody = z.looseObject({
  model: z.string().min(1).meta({ description: 'local (the bundled USE-lite model), or the embedder the server was started with' }),
  input: z.union([z.string(), z.array(z.string()).min(1).max(2048)]),
  encoding_format: z.enum(['float', 'base64']).optional(),
  dimensions: z.number().int().positive().optional(),
});

export const EmbeddingList = z.object({
  object: z.literal('list'),
  data: z.array(z.object({ object: z.literal('embedding'), index: z.number().int(), embedding: z.union([z.array(z.number()), z.string()]) })),
  model: z.string(),
  usage: z.object({ prompt_tokens: z.number().int(), total_tokens: z.number().int() }),
});

export const Model = z.object({ id: z.string(), object: z.literal('model'), created: z.number().int(), owned_by: z.string() });
export const ModelList = z.object({ object: z.literal('list'), data: z.array(Model) });
