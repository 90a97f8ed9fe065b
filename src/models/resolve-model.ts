import { homedir } from 'node:os';
import { LoreError } from '../spec/errors.js';
import { isLocalModel } from './cost/cost-of-call.js';
import { createGgufModel, type GgufModelOptions } from './gguf/index.js';
import type { LanguageModel } from '../spec/models.js';
import { withRetry } from './middleware/with-retry.js';
import { withConcurrency } from './middleware/with-concurrency.js';
import { createOpenAICompatibleModel } from './providers/openai-compatible.js';
import { createAnthropicModel } from './providers/anthropic.js';
import { withUsage, type CallRecord } from './middleware/with-usage.js';
import { withCache } from './middleware/with-cache.js';
import { withTracing } from './middleware/with-tracing.js';
import { DEFAULT_PRICES, type PriceTable } from './cost/price-table.js';

export interface ResolveModelOptions {
  /** `openai:gpt-4o-mini`, `anthropic:claude-sonnet-4-5`, `ollama:qwen2.5:7b`, `openai-compatible:http://localhost:8000/v1#my-model`. */
  spec: string;
  /** Keys by provider (`openai`, …); the CLI fills them from the environment, the library never reads it. */
  apiKeys?: Record<string, string | undefined>;
  /** Ollama's address (default http://127.0.0.1:11434). */
  ollamaUrl?: string;
  /** Calls in flight at once (default 2 for local servers, 8 for remote APIs). */
  concurrency?: number;
  /** Prices for cost accounting (default: the built-in table). */
  prices?: PriceTable;
  /** What an hour of this machine costs, to price local models (default: costed by time only). */
  localUsdPerHour?: number;
  /** Told about every completed call: tokens, time to first token, duration, cost. */
  onCall?: (record: CallRecord) => void;
  /** Folder of an on-disk response cache: the same request to the same model answers from disk. */
  cacheDir?: string;
  /**
   * Settings for `gguf:PATH` models run in-process: a draft model for speculative decoding (`draft`, a
   * `gguf:PATH` spec or a path), context size, threads, flash attention, KV-cache reuse.
   */
  gguf?: Omit<GgufModelOptions, 'path' | 'draftPath'> & { draft?: string };
}

/**
 * Turns a model spec a person can type into a model, with the same middleware around every provider:
 * usage and cost (innermost, so it times the call itself, not queueing or retry waits), a concurrency limit,
 * retries (outside the limiter, so a call waiting to retry does not hold a slot), then the response cache
 * (outermost: a cached answer costs nothing and waits for nothing).
 */
export function resolveLanguageModel(options: ResolveModelOptions): LanguageModel {
  const provider = resolveProvider(options);
  const local = isLocalModel(provider.id);
  const counted = withUsage(provider, {
    prices: options.prices ?? DEFAULT_PRICES,
    localUsdPerHour: options.localUsdPerHour,
    onCall: (record) => options.onCall?.(record),
  });
  // A span per attempt (GenAI attributes, tokens, cost), timed like usage: the call itself, not its queue.
  const traced = withTracing(counted, { system: providerSystem(options.spec), prices: options.prices ?? DEFAULT_PRICES, localUsdPerHour: options.localUsdPerHour });
  // A GGUF model runs one request at a time on its context anyway; a queue of 1 keeps waiting calls cancellable.
  const limit = options.concurrency ?? (provider.id.startsWith('gguf:') ? 1 : local ? 2 : 8);
  const model = withRetry(withConcurrency(traced, { limit }));
  return options.cacheDir ? withCache(model, { dir: options.cacheDir }) : model;
}

function resolveProvider(options: ResolveModelOptions): LanguageModel {
  const spec = options.spec.trim();
  const colon = spec.indexOf(':');
  const provider = colon < 0 ? spec : spec.slice(0, colon);
  const rest = colon < 0 ? '' : spec.slice(colon + 1);
  const fail = (hint: string) => new LoreError({ code: 'INVALID_ARGUMENT', message: `Cannot use the model "${spec}"`, hint, subject: spec });
  switch (provider) {
    case 'openai': {
      const apiKey = options.apiKeys?.['openai'];
      if (!rest) throw fail('name the model, e.g. openai:gpt-4o-mini');
      if (!apiKey) throw fail('set OPENAI_API_KEY');
      return createOpenAICompatibleModel({ baseUrl: 'https://api.openai.com/v1', model: rest, apiKey });
    }
    case 'ollama':
      if (!rest) throw fail('name the model, e.g. ollama:qwen2.5:7b');
      return createOpenAICompatibleModel({ baseUrl: `${(options.ollamaUrl ?? 'http://127.0.0.1:11434').replace(/\/+$/, '')}/v1`, model: rest });
    case 'openai-compatible': {
      const hash = rest.lastIndexOf('#');
      if (hash <= 0 || hash === rest.length - 1) throw fail('write it as openai-compatible:URL#model, e.g. openai-compatible:http://localhost:8000/v1#my-model');
      return createOpenAICompatibleModel({ baseUrl: rest.slice(0, hash), model: rest.slice(hash + 1), apiKey: options.apiKeys?.['openai-compatible'] });
    }
    case 'anthropic': {
      const apiKey = options.apiKeys?.['anthropic'];
      if (!rest) throw fail('name the model, e.g. anthropic:claude-sonnet-4-5');
      if (!apiKey) throw fail('set ANTHROPIC_API_KEY');
      return createAnthropicModel({ model: rest, apiKey });
    }
    case 'gguf': {
      if (!rest) throw fail('give the model file, e.g. gguf:./models/qwen2.5-1.5b-instruct-q4_k_m.gguf');
      const { draft, ...settings } = options.gguf ?? {};
      return createGgufModel({ ...settings, path: ggufPath(rest), draftPath: draft ? ggufPath(draft.replace(/^gguf:/, '')) : undefined });
    }
    default:
      throw fail('use openai:MODEL, anthropic:MODEL, ollama:MODEL, openai-compatible:URL#MODEL or gguf:PATH');
  }
}

/** `gen_ai.system` of a spec: the provider a person named (an OpenAI-compatible server is not OpenAI). */
function providerSystem(spec: string): string {
  const provider = spec.trim().split(':', 1)[0] ?? '';
  return provider === 'gguf' ? 'llama_cpp' : provider.replace(/-/g, '_') || 'unknown';
}

/** `~/models/x.gguf` as shells write it; other paths as given (relative to the working directory). */
export function ggufPath(path: string): string {
  return path.startsWith('~/') ? `${homedir()}${path.slice(1)}` : path;
}
