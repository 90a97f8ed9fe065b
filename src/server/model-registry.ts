import { LoreError, resolveLanguageModel, type LanguageModel, type ResolveModelOptions } from '../index.js';

export interface ConfiguredModel {
  /** The name clients use: the model part of the spec (`gpt-4o-mini`, `qwen2.5:7b`, `my-model`). */
  name: string;
  /** The provider, reported as `owned_by`. */
  provider: string;
  spec: string;
  model: LanguageModel;
}

export interface ModelRegistry {
  /** Models a client may call by name, in the order they were configured. */
  readonly models: readonly ConfiguredModel[];
  /** The model that writes lore/<collection> answers: the first configured; none means extractive answers. */
  readonly answerModel: ConfiguredModel | undefined;
  /** A configured model by its name or full spec. */
  find(name: string): ConfiguredModel | undefined;
}

/** The name a client would send for a spec: never the URL of an `openai-compatible:` server. */
export function modelName(spec: string): { name: string; provider: string } {
  const colon = spec.indexOf(':');
  if (colon < 0) return { name: spec, provider: 'lore' };
  const provider = spec.slice(0, colon);
  const rest = spec.slice(colon + 1);
  if (provider === 'openai-compatible') return { name: rest.slice(rest.lastIndexOf('#') + 1), provider };
  return { name: rest, provider };
}

/**
 * The language models a server offers, resolved once at start-up (so a missing key fails `lore serve`, not
 * the first request). Only these pass through: a client cannot make the server call an address of its
 * choosing by naming an `openai-compatible:` spec.
 */
export function createModelRegistry(options: { specs: readonly string[]; resolve?: Omit<ResolveModelOptions, 'spec'> }): ModelRegistry {
  const models: ConfiguredModel[] = [];
  for (const spec of options.specs) {
    if (!spec || spec === 'extractive') continue;
    const { name, provider } = modelName(spec);
    if (models.some((m) => m.name === name)) {
      throw new LoreError({ code: 'INVALID_ARGUMENT', message: `Two models are named "${name}"`, hint: 'configure each model once' });
    }
    models.push({ name, provider, spec, model: resolveLanguageModel({ ...options.resolve, spec }) });
  }
  return {
    models,
    answerModel: models[0],
    find: (name) => models.find((m) => m.name === name || m.spec === name),
  };
}
