import { isLoreError } from '../spec/errors.js';
import type { LanguageModel } from '../spec/models.js';
import type { AgentProtocol } from './agent-events.js';

/** Providers whose adapters speak native tool calling (OpenAI-compatible servers incl. Ollama, Anthropic, GGUF). */
const NATIVE_PREFIXES = ['openai-compatible:', 'anthropic:', 'gguf:'];

/**
 * `auto` picks native tool calling for the providers Lore knows to support it, ReAct for anything else (a
 * library user's own model object, the extractive answerer). A native provider that turns out not to
 * (an Ollama model without tool support) is caught by `refusesTools` on the first call.
 */
export function chooseProtocol(options: { model: LanguageModel; protocol?: AgentProtocol | 'auto' }): AgentProtocol {
  const requested = options.protocol ?? 'auto';
  if (requested !== 'auto') return requested;
  return NATIVE_PREFIXES.some((p) => options.model.id.startsWith(p)) ? 'native' : 'react';
}

/** Tool calling must use a grammar for GGUF models: their chat templates' tool formats are unreliable at small sizes. */
export function defaultToolChoice(options: { model: LanguageModel }): 'auto' | 'required' {
  return options.model.id.startsWith('gguf:') ? 'required' : 'auto';
}

/**
 * A provider saying it cannot do tools ("does not support tools", a 400 naming `tools`), as opposed to a
 * failure any request would hit. Retryable failures (rate limits, 5xx) are never read as this.
 */
export function refusesTools(error: unknown): boolean {
  if (!isLoreError(error) || error.retryable) return false;
  if (error.code !== 'PROVIDER_ERROR' && error.code !== 'INVALID_ARGUMENT' && error.code !== 'UNSUPPORTED_FORMAT') return false;
  return /\btools?\b|tool[_ ]choice|function[_ ]?call/i.test(error.message);
}
