/**
 * Attribute names written on Lore's spans. The GenAI ones follow the OpenTelemetry semantic conventions for
 * generative AI; they are still "incubating" upstream, and the package advises copying incubating names
 * rather than importing them (its incubating entry point may change in a minor release), hence the strings.
 * Lore's own names sit under `lore.`, so a collector shows them apart from the standard ones.
 */
export const GEN_AI = {
  operationName: 'gen_ai.operation.name',
  system: 'gen_ai.system',
  providerName: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  requestTemperature: 'gen_ai.request.temperature',
  requestMaxTokens: 'gen_ai.request.max_tokens',
  requestStopSequences: 'gen_ai.request.stop_sequences',
  responseFinishReasons: 'gen_ai.response.finish_reasons',
  responseTimeToFirstChunk: 'gen_ai.response.time_to_first_chunk',
  usageInputTokens: 'gen_ai.usage.input_tokens',
  usageOutputTokens: 'gen_ai.usage.output_tokens',
  outputType: 'gen_ai.output.type',
  inputMessages: 'gen_ai.input.messages',
  outputMessages: 'gen_ai.output.messages',
  conversationId: 'gen_ai.conversation.id',
  toolName: 'gen_ai.tool.name',
  toolCallId: 'gen_ai.tool.call.id',
  toolCallArguments: 'gen_ai.tool.call.arguments',
  toolCallResult: 'gen_ai.tool.call.result',
  retrievalQueryText: 'gen_ai.retrieval.query.text',
  retrievalDocuments: 'gen_ai.retrieval.documents',
} as const;

export const LORE = {
  /** The collection a step worked on; the trace takes it when all its spans agree (server scoping). */
  collection: 'lore.collection',
  command: 'lore.command',
  exitCode: 'lore.exit_code',
  /** US dollars of a model call, from the price table (absent when it cannot be known). */
  costUsd: 'lore.cost_usd',
  costBasis: 'lore.cost_basis',
  usageEstimated: 'lore.usage_estimated',
  timeToFirstTokenMs: 'lore.time_to_first_token_ms',
  modelId: 'lore.model_id',
  errorCode: 'lore.error_code',
  source: 'lore.source',
  hits: 'lore.hits',
  mode: 'lore.mode',
  k: 'lore.k',
  chunks: 'lore.chunks',
  texts: 'lore.texts',
  bytes: 'lore.bytes',
  outcome: 'lore.outcome',
  notes: 'lore.notes',
  answer: 'lore.answer',
  question: 'lore.question',
} as const;
