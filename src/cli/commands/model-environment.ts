/**
 * What model specs need from the environment: keys by provider and Ollama's address. Only the CLI reads
 * the environment; the library takes these as options.
 */
export function modelEnvironment(): { apiKeys: Record<string, string | undefined>; ollamaUrl?: string } {
  const env = process.env;
  return {
    apiKeys: {
      openai: env['OPENAI_API_KEY'],
      // A compatible server (vLLM, OpenRouter…) takes its own key when set, else OpenAI's.
      'openai-compatible': env['LORE_API_KEY'] || env['OPENAI_API_KEY'],
      anthropic: env['ANTHROPIC_API_KEY'],
    },
    ollamaUrl: env['OLLAMA_HOST'] ? normaliseOllamaHost(env['OLLAMA_HOST']) : undefined,
  };
}

/** OLLAMA_HOST is often written without a scheme (`0.0.0.0:11434`, `localhost`), as Ollama itself accepts. */
function normaliseOllamaHost(value: string): string {
  const withScheme = /^https?:\/\//.test(value) ? value : `http://${value}`;
  return /:\d+(\/|$)/.test(withScheme.replace(/^https?:\/\//, '')) ? withScheme : `${withScheme.replace(/\/+$/, '')}:11434`;
}
