import { loadPriceTable, type PriceTable } from '../../models/cost/price-table.js';
import { LoreError } from '../../spec/errors.js';

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

/**
 * Cost accounting and caching settings: LORE_PRICES (a JSON price file laid over the built-in table),
 * LORE_LOCAL_USD_PER_HOUR (to price local models' time), LORE_CACHE_DIR (an on-disk response cache).
 */
export function modelAccounting(): { prices: PriceTable; localUsdPerHour?: number; cacheDir?: string } {
  const env = process.env;
  const rate = env['LORE_LOCAL_USD_PER_HOUR'] ? Number(env['LORE_LOCAL_USD_PER_HOUR']) : undefined;
  if (rate !== undefined && !(rate >= 0)) {
    throw new LoreError({ code: 'INVALID_ARGUMENT', message: `LORE_LOCAL_USD_PER_HOUR is not a number: ${env['LORE_LOCAL_USD_PER_HOUR']}`, hint: 'e.g. LORE_LOCAL_USD_PER_HOUR=0.12' });
  }
  return { prices: loadPriceTable({ file: env['LORE_PRICES'] || undefined }), localUsdPerHour: rate, cacheDir: env['LORE_CACHE_DIR'] || undefined };
}

/** OLLAMA_HOST is often written without a scheme (`0.0.0.0:11434`, `localhost`), as Ollama itself accepts. */
function normaliseOllamaHost(value: string): string {
  const withScheme = /^https?:\/\//.test(value) ? value : `http://${value}`;
  return /:\d+(\/|$)/.test(withScheme.replace(/^https?:\/\//, '')) ? withScheme : `${withScheme.replace(/\/+$/, '')}:11434`;
}
