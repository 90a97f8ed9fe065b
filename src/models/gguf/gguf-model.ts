import { randomBytes } from 'node:crypto';
import {
  type ChatHistoryItem,
  type ChatModelFunctions,
  DraftSequenceTokenPredictor,
  LlamaChat,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaGrammar,
} from 'node-llama-cpp';
import { isLoreError, LoreError } from '../../spec/errors.js';
import type { FinishReason, GenerateEvent, GenerateRequest, LanguageModel, ToolCall } from '../../spec/models.js';
import { collectStream } from '../providers/openai-compatible.js';
import { toChatHistory } from './chat-history.js';
import { createEventQueue } from './event-queue.js';
import { generateWithGrammar } from './generate-with-grammar.js';
import { anyObjectSchema, grammarForSchema, toGrammarSchema, toolCallSchema, toolsSystemText } from './json-schema-grammar.js';
import { acquireModel, defaultThreads, type SharedModel } from './load-llama.js';
import { type GgufHeader, readGgufHeader } from './read-gguf-header.js';
import { createSerialLock } from './serial-lock.js';
import { SwitchablePredictor } from './switchable-predictor.js';
import { createUtf8Guard, type Utf8Guard } from './utf8-guard.js';

export interface GgufModelOptions {
  /** The .gguf file. */
  path: string;
  /**
   * A smaller model with the same vocabulary (e.g. Qwen2.5-0.5B for Qwen2.5-7B) for speculative decoding:
   * it drafts tokens, the main model checks them in one batch. Greedy output is unchanged.
   */
  draftPath?: string;
  /** Tokens drafted per step at most (default 8). */
  draftMaxTokens?: number;
  /**
   * Wait for at least this many drafted tokens before each step (default 4). node-llama-cpp drafts in the
   * background and does not wait by default; on a CPU the main model then rarely finds a draft ready.
   */
  draftMinTokens?: number;
  /** Stop drafting when the draft model is less sure than this (0–1, default node-llama-cpp's 0.6). */
  draftMinConfidence?: number;
  /** Context window in tokens (default: what the model was trained for, at most 8192, less if memory is short). */
  contextSize?: number;
  /** CPU threads (default: 1 for models under 200 MB, where threads cost more than they give; else every math core). */
  threads?: number;
  flashAttention?: boolean;
  /** Use a GPU backend when node-llama-cpp has one for this machine (default false). */
  gpu?: boolean;
  /** Layers to put on the GPU with `gpu: true` (default 'auto'). */
  gpuLayers?: number | 'auto' | 'max';
  /** Used when a request brings no system message. */
  systemPrompt?: string;
  /**
   * Keep the KV cache between requests and evaluate only what a new prompt adds to the last one (the next
   * turn of a conversation, another question under the same system prompt). Default true.
   */
  reuseKvCache?: boolean;
  /**
   * With `tools`: 'auto' (default) lets the model answer or call a tool in its own chat format
   * (node-llama-cpp's function calling; a `responseFormat` is then not applied, as the two cannot be
   * combined there); 'required' makes the answer one call to one of the tools, by grammar.
   */
  toolChoice?: 'auto' | 'required';
  /**
   * Sampling seed when a request's temperature is above 0 (default: time-based, as node-llama-cpp does).
   * A request without a temperature decodes greedily (node-llama-cpp's default), with its default
   * repetition penalty on plain-text answers.
   */
  seed?: number;
}

/** Token counts since the model was created (or over its last request), for benchmarks and tests. */
export interface GgufRequestStats {
  /** The prompt, in tokens. */
  inputTokens: number;
  /** Prompt tokens found already evaluated in the KV cache. */
  reusedInputTokens: number;
  /** Prompt tokens run through the model. */
  evaluatedInputTokens: number;
  outputTokens: number;
}

export interface GgufModelStats extends GgufRequestStats {
  requests: number;
  /** Speculative decoding: drafted tokens the main model accepted and rejected. */
  draft?: { accepted: number; rejected: number; acceptanceRate: number };
  last?: GgufRequestStats;
}

export interface GgufModel extends LanguageModel {
  readonly path: string;
  stats(): GgufModelStats;
  /** Frees the context and, when no one else holds them, the weights; the next request loads again. */
  close(): Promise<void>;
}

interface Loaded {
  main: SharedModel;
  draft?: SharedModel;
  context: LlamaContext;
  draftContext?: LlamaContext;
  sequence: LlamaContextSequence;
  chat: LlamaChat;
  guard?: Utf8Guard;
  predictor?: SwitchablePredictor;
}

const DEFAULT_MAX_CONTEXT = 8192;

function cancelled(cause?: unknown): LoreError {
  return new LoreError({ code: 'ABORTED', message: 'The request was cancelled', cause });
}

function callId(): string {
  return `call_${randomBytes(6).toString('hex')}`;
}

/**
 * A GGUF model run in-process by llama.cpp (node-llama-cpp): the model's own chat template, streaming,
 * JSON and JSON-Schema answers by grammar, tool calls, a KV cache kept between requests, optional
 * speculative decoding. The file's header is checked now, so a wrong path fails here; the weights load
 * on the first request.
 */
export function createGgufModel(options: GgufModelOptions): GgufModel {
  const header = readGgufHeader({ path: options.path });
  const draftHeader = options.draftPath ? readGgufHeader({ path: options.draftPath }) : undefined;
  if (draftHeader) checkDraft(header, draftHeader);
  const id = `gguf:${options.path}`;
  const reuse = options.reuseKvCache ?? true;
  const lock = createSerialLock();
  const totals = { requests: 0, inputTokens: 0, reusedInputTokens: 0, evaluatedInputTokens: 0, outputTokens: 0 };
  let last: GgufRequestStats | undefined;
  let loading: Promise<Loaded> | undefined;
  let draftCounts = { accepted: 0, rejected: 0 };

  async function load(): Promise<Loaded> {
    // Checked again: the file may have changed (a download finishing, or failing) since creation.
    readGgufHeader({ path: options.path });
    const main = await acquireModel({ path: options.path, gpu: options.gpu, gpuLayers: options.gpuLayers });
    let draft: SharedModel | undefined;
    let context: LlamaContext | undefined;
    let draftContext: LlamaContext | undefined;
    try {
      const contextSize = options.contextSize ?? { max: Math.min(header.contextLength ?? DEFAULT_MAX_CONTEXT, DEFAULT_MAX_CONTEXT) };
      const threads = options.threads ?? defaultThreads({ llama: main.llama, modelBytes: header.fileSize });
      context = await main.model.createContext({ contextSize, threads, flashAttention: options.flashAttention, sequences: 1 });
      let sequence: LlamaContextSequence;
      let predictor: SwitchablePredictor | undefined;
      if (options.draftPath && draftHeader) {
        draft = await acquireModel({ path: options.draftPath, gpu: options.gpu, gpuLayers: options.gpuLayers });
        draftContext = await draft.model.createContext({
          contextSize: context.contextSize,
          threads: options.threads ?? defaultThreads({ llama: draft.llama, modelBytes: draftHeader.fileSize }),
          flashAttention: options.flashAttention,
          sequences: 1,
        });
        predictor = new SwitchablePredictor(
          new DraftSequenceTokenPredictor(draftContext.getSequence(), {
            maxTokens: options.draftMaxTokens ?? 8,
            minTokens: Math.min(options.draftMinTokens ?? 4, options.draftMaxTokens ?? 8),
            minConfidence: options.draftMinConfidence,
          }),
        );
        sequence = context.getSequence({ tokenPredictor: predictor });
      } else sequence = context.getSequence();
      const chat = new LlamaChat({ contextSequence: sequence });
      const guard = createUtf8Guard({ model: main.model, byteTokens: header.byteTokens });
      return { main, draft, context, draftContext, sequence, chat, guard, predictor };
    } catch (cause) {
      await draftContext?.dispose().catch(() => {});
      await context?.dispose().catch(() => {});
      await draft?.release().catch(() => {});
      await main.release().catch(() => {});
      if (isLoreError(cause)) throw cause;
      const message = (cause as Error)?.message ?? String(cause);
      throw new LoreError({ code: 'PROVIDER_ERROR', message: `Could not create a llama.cpp context for ${options.path}: ${message}`, hint: 'try a smaller contextSize', subject: options.path, cause });
    }
  }

  function ensureLoaded(): Promise<Loaded> {
    if (!loading) {
      loading = load();
      loading.catch(() => (loading = undefined));
    }
    return loading;
  }

  async function* stream(request: GenerateRequest): AsyncGenerator<GenerateEvent> {
    if (!request.messages?.length) throw new LoreError({ code: 'INVALID_ARGUMENT', message: 'A request needs at least one message' });
    const release = await lock.acquire(request.signal);
    try {
      const state = await ensureLoaded();
      if (request.signal?.aborted) throw cancelled(request.signal.reason);
      yield* answer(state, request);
    } finally {
      release();
    }
  }

  async function* answer(state: Loaded, request: GenerateRequest): AsyncGenerator<GenerateEvent> {
    const events = createEventQueue<GenerateEvent>();
    // Our own controller too: a reader that stops early must stop the generation before the lock is released.
    const stop = new AbortController();
    const signal = request.signal ? AbortSignal.any([request.signal, stop.signal]) : stop.signal;
    const work = generate(state, request, signal, events.push);
    work.then(events.end, events.fail);
    try {
      yield* events;
    } finally {
      stop.abort();
      await work.catch(() => {});
    }
  }

  async function generate(state: Loaded, request: GenerateRequest, signal: AbortSignal, emit: (event: GenerateEvent) => void): Promise<void> {
    const { sequence, chat, main } = state;
    const tools = request.tools?.length ? request.tools : undefined;
    const format = request.responseFormat;
    const forceTool = tools && (request.toolChoice ?? options.toolChoice) === 'required';
    const meter = sequence.tokenMeter.getState();
    const predictionsBefore = sequence.tokenPredictions;
    const history = toChatHistory({ messages: request.messages, systemPrompt: options.systemPrompt, extraSystem: forceTool ? toolsSystemText(tools) : undefined });

    let usage: GgufRequestStats;
    let finish: FinishReason;
    try {
      if (forceTool || (!tools && (format?.type === 'json' || format?.type === 'json_schema'))) {
        const schema = forceTool ? toolCallSchema(tools) : format?.type === 'json_schema' ? toGrammarSchema(format.schema) : anyObjectSchema();
        const grammar: LlamaGrammar = await grammarForSchema({ llama: main.llama, schema });
        if (state.predictor && state.guard) state.predictor.enabled = false;
        const result = await generateWithGrammar({
          sequence,
          chatWrapper: chat.chatWrapper,
          history,
          grammar,
          guard: state.guard,
          maxTokens: request.maxTokens,
          temperature: request.temperature,
          seed: options.seed,
          stop: request.stop,
          signal,
          reuseKvCache: reuse,
          onText: (delta) => {
            if (!forceTool) emit({ type: 'text', delta });
          },
        });
        finish = result.finish === 'length' ? 'length' : 'stop';
        if (forceTool) {
          const call = parseForcedCall(result.text);
          if (call) {
            emit({ type: 'tool_call', call });
            finish = 'tool_calls';
          } else if (result.text) emit({ type: 'text', delta: result.text });
        }
        const evaluated = result.promptTokens - result.reusedTokens;
        usage = { inputTokens: result.promptTokens, reusedInputTokens: result.reusedTokens, evaluatedInputTokens: evaluated, outputTokens: result.outputTokens };
      } else {
        if (!reuse) await sequence.clearHistory();
        const functions: ChatModelFunctions | undefined = tools
          ? Object.fromEntries(tools.map((t) => [t.name, { description: t.description, params: toGrammarSchema(t.parameters ?? { type: 'object' }) }]))
          : undefined;
        const rawArguments = new Map<number, string>();
        const response = await chat.generateResponse(history as ChatHistoryItem[], {
          signal,
          maxTokens: request.maxTokens ?? sequence.contextSize,
          temperature: request.temperature,
          seed: options.seed,
          customStopTriggers: request.stop?.length ? request.stop : undefined,
          onTextChunk: (delta) => {
            if (delta) emit({ type: 'text', delta });
          },
          ...(functions
            ? {
                functions,
                onFunctionCallParamsChunk: (chunk) => {
                  const first = !rawArguments.has(chunk.callIndex);
                  rawArguments.set(chunk.callIndex, (rawArguments.get(chunk.callIndex) ?? '') + chunk.paramsChunk);
                  emit({ type: 'tool_call_delta', index: chunk.callIndex, name: first ? chunk.functionName : undefined, argumentsDelta: chunk.paramsChunk });
                },
              }
            : {}),
        });
        const calls = response.functionCalls ?? [];
        calls.forEach((call, index) => {
          const raw = rawArguments.get(index);
          emit({ type: 'tool_call', call: { id: callId(), name: call.functionName, arguments: raw && isJson(raw) ? raw : JSON.stringify(call.params ?? {}) } });
        });
        const reason = response.metadata.stopReason;
        finish = calls.length > 0 || reason === 'functionCalls' ? 'tool_calls' : reason === 'maxTokens' ? 'length' : reason === 'abort' ? 'other' : 'stop';
        // Counted from the sequence's own meter, which counts every position whose logits were read: one
        // per generated token, plus drafted tokens that were rejected or left unused at the end. The
        // prompt is what the sequence holds minus what was generated (the last token is sampled, never
        // evaluated), and only what was not already there went through the model.
        const diff = sequence.tokenMeter.diff(meter);
        const predictions = sequence.tokenPredictions;
        const wasted = predictions.refuted - predictionsBefore.refuted + (predictions.unused - predictionsBefore.unused);
        const sampled = Math.max(0, diff.usedOutputTokens - wasted);
        const inputTokens = Math.max(0, sequence.contextTokens.length - Math.max(0, sampled - 1));
        const evaluated = Math.min(inputTokens, diff.usedInputTokens + 1);
        usage = { inputTokens, reusedInputTokens: inputTokens - evaluated, evaluatedInputTokens: evaluated, outputTokens: sampled };
      }
    } catch (error) {
      if (request.signal?.aborted) throw cancelled(error);
      if (signal.aborted) return; // the reader stopped listening: nothing to report to anyone
      if (isLoreError(error)) throw error;
      const message = (error as Error)?.message ?? String(error);
      // llama.cpp's full draft check runs when the draft first drafts, i.e. in the first request.
      if (options.draftPath && /draft|speculative/i.test(message)) {
        throw new LoreError({ code: 'INVALID_ARGUMENT', message: `${options.draftPath} cannot draft for ${options.path}: ${message}`, hint: 'a draft model must come from the same family as the main model', cause: error });
      }
      throw new LoreError({ code: 'PROVIDER_ERROR', message: `llama.cpp failed on ${options.path}: ${message}`, cause: error });
    } finally {
      if (state.predictor) state.predictor.enabled = true;
    }
    if (request.signal?.aborted) throw cancelled(request.signal.reason);

    draftCounts = {
      accepted: draftCounts.accepted + sequence.tokenPredictions.validated - predictionsBefore.validated,
      rejected: draftCounts.rejected + sequence.tokenPredictions.refuted - predictionsBefore.refuted,
    };
    totals.requests++;
    totals.inputTokens += usage.inputTokens;
    totals.reusedInputTokens += usage.reusedInputTokens;
    totals.evaluatedInputTokens += usage.evaluatedInputTokens;
    totals.outputTokens += usage.outputTokens;
    last = usage;
    emit({ type: 'usage', usage: { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens } });
    emit({ type: 'finish', reason: finish });
  }

  return {
    id,
    path: options.path,
    stream,
    generate: (request) => collectStream(stream(request), id),
    stats() {
      const drafted = draftCounts.accepted + draftCounts.rejected;
      return {
        ...totals,
        last,
        draft: options.draftPath ? { ...draftCounts, acceptanceRate: drafted ? draftCounts.accepted / drafted : 0 } : undefined,
      };
    },
    async close() {
      // Waits its turn, so a request in flight finishes on a context that still exists.
      const release = await lock.acquire();
      try {
        const current = loading;
        loading = undefined;
        const state = await current?.catch(() => undefined);
        if (!state) return;
        state.chat.dispose();
        await state.context.dispose();
        await state.draftContext?.dispose();
        await state.draft?.release();
        await state.main.release();
      } finally {
        release();
      }
    },
  };
}

/**
 * The cheap half of llama.cpp's own check (same tokenizer kind, vocabularies within 128 entries), made
 * now so a mismatched pair fails at creation rather than on the first request.
 */
function checkDraft(main: GgufHeader, draft: GgufHeader): void {
  const sameKind = main.tokenizerModel === draft.tokenizerModel;
  if (!sameKind || Math.abs(main.vocabularySize - draft.vocabularySize) > 128) {
    throw new LoreError({
      code: 'INVALID_ARGUMENT',
      message: `${draft.path} cannot draft for ${main.path}: their vocabularies differ (${draft.tokenizerModel ?? '?'}, ${draft.vocabularySize} tokens against ${main.tokenizerModel ?? '?'}, ${main.vocabularySize})`,
      hint: 'a draft model must come from the same family as the main model (e.g. Qwen2.5-0.5B for Qwen2.5-7B)',
      subject: draft.path,
    });
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** `{"name": …, "arguments": {…}}` as the tool-call grammar makes the model write it. */
function parseForcedCall(text: string): ToolCall | undefined {
  try {
    const value = JSON.parse(text) as { name?: unknown; arguments?: unknown };
    if (typeof value.name !== 'string') return undefined;
    return { id: callId(), name: value.name, arguments: JSON.stringify(value.arguments ?? {}) };
  } catch {
    return undefined;
  }
}
