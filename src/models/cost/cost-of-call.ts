import type { Usage } from '../../spec/models.js';
import { findPrice, type PriceTable } from './price-table.js';

/**
 * What a call cost, always with the reason behind the number: a priced API call has an amount; a model run
 * on this machine (or a local server) is costed by the time it took, with an amount only when the user set
 * an hourly rate; an API model missing from the table has no amount and says how to add it.
 */
export interface CallCost {
  basis: 'price-table' | 'local-time' | 'unpriced';
  /** US dollars, or null when it cannot be known (see `note`). */
  usd: number | null;
  /** Wall-clock seconds of the call: the cost of a local model. */
  seconds: number;
  /** The table entry used. */
  priceKey?: string;
  note: string;
}

export interface CostOfCallOptions {
  /** The model's id or spec: `openai:gpt-4o-mini`, `gguf:/models/qwen.gguf`, `openai-compatible:URL#name`. */
  modelId: string;
  usage?: Usage;
  durationMs: number;
  prices: PriceTable;
  /** What an hour of this machine costs the user (power, hardware), to turn local time into money. */
  localUsdPerHour?: number;
}

const LOCAL_URL = /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\]|0\.0\.0\.0)([:/]|$)/;

/** Models that run on this machine: GGUF files, Ollama, and compatible servers on a loopback address. */
export function isLocalModel(modelId: string): boolean {
  if (modelId.startsWith('gguf:') || modelId.startsWith('ollama:')) return true;
  const m = /^openai-compatible:(.*)#/.exec(modelId);
  return Boolean(m && LOCAL_URL.test(m[1]!));
}

function modelName(modelId: string): string {
  const hash = modelId.lastIndexOf('#');
  if (modelId.startsWith('openai-compatible:') && hash > 0) return modelId.slice(hash + 1);
  return modelId.slice(modelId.indexOf(':') + 1);
}

/**
 * A model the price table names is priced from it even behind a loopback address (a LiteLLM-style proxy to a
 * paid API); GGUF files and unpriced local servers are costed by time; anything else is unpriced, saying why.
 */
export function costOfCall(o: CostOfCallOptions): CallCost {
  const seconds = Math.round(o.durationMs) / 1000;
  const found = o.modelId.startsWith('gguf:') ? undefined : findPrice(o.prices, modelName(o.modelId));
  if (!found && isLocalModel(o.modelId)) {
    const usd = o.localUsdPerHour !== undefined ? (seconds / 3600) * o.localUsdPerHour : null;
    return {
      basis: 'local-time',
      usd,
      seconds,
      note:
        usd === null
          ? `local model: costed by time, ${seconds.toFixed(1)} s on this machine (set LORE_LOCAL_USD_PER_HOUR to price it)`
          : `local model: ${seconds.toFixed(1)} s at $${o.localUsdPerHour}/h`,
    };
  }
  if (!found) {
    return { basis: 'unpriced', usd: null, seconds, note: `no price for ${modelName(o.modelId)}: add it to a price file (LORE_PRICES=prices.json)` };
  }
  if (!o.usage) {
    return { basis: 'unpriced', usd: null, seconds, priceKey: found.key, note: 'the provider reported no token counts' };
  }
  const usd = (o.usage.inputTokens * found.price.input + o.usage.outputTokens * found.price.output) / 1e6;
  return { basis: 'price-table', usd, seconds, priceKey: found.key, note: `${found.key} at $${found.price.input}/$${found.price.output} per 1M input/output tokens` };
}
