import { readFileSync } from 'node:fs';
import { LoreError } from '../../spec/errors.js';

/** US dollars per million tokens. */
export interface ModelPrice {
  input: number;
  output: number;
  /** Cached input tokens, where the provider discounts them. */
  cachedInput?: number;
}

/**
 * Model name → price. Keys are matched against the model part of a spec (`openai:gpt-4o-mini` → `gpt-4o-mini`),
 * exactly first, then the longest key that prefixes it (so dated snapshots such as `gpt-4o-2024-08-06` find
 * `gpt-4o`). Prices change: a user extends or overrides this table with a JSON file of the same shape.
 */
export type PriceTable = Record<string, ModelPrice>;

/** List prices (USD per 1M tokens) as published by the providers in 2025; `checked` says when. */
export const PRICES_CHECKED = '2025-08';
export const DEFAULT_PRICES: PriceTable = {
  'gpt-4o': { input: 2.5, output: 10, cachedInput: 1.25 },
  'gpt-4o-mini': { input: 0.15, output: 0.6, cachedInput: 0.075 },
  'gpt-4.1': { input: 2, output: 8, cachedInput: 0.5 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6, cachedInput: 0.1 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4, cachedInput: 0.025 },
  'gpt-5': { input: 1.25, output: 10, cachedInput: 0.125 },
  'gpt-5-mini': { input: 0.25, output: 2, cachedInput: 0.025 },
  'gpt-5-nano': { input: 0.05, output: 0.4, cachedInput: 0.005 },
  o3: { input: 2, output: 8, cachedInput: 0.5 },
  'o4-mini': { input: 1.1, output: 4.4, cachedInput: 0.275 },
  'text-embedding-3-small': { input: 0.02, output: 0 },
  'text-embedding-3-large': { input: 0.13, output: 0 },
  'claude-opus-4': { input: 15, output: 75 },
  'claude-opus-4-1': { input: 15, output: 75 },
  'claude-sonnet-4': { input: 3, output: 15 },
  'claude-sonnet-4-5': { input: 3, output: 15 },
  'claude-3-7-sonnet': { input: 3, output: 15 },
  'claude-3-5-haiku': { input: 0.8, output: 4 },
  'claude-haiku-4-5': { input: 1, output: 5 },
};

/** The built-in table with a user's JSON file laid over it; a bad file is an error that names the entry. */
export function loadPriceTable(options: { file?: string } = {}): PriceTable {
  if (!options.file) return { ...DEFAULT_PRICES };
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(options.file, 'utf8'));
  } catch (cause) {
    throw new LoreError({
      code: 'INVALID_ARGUMENT',
      message: `Cannot read the price table ${options.file}: ${(cause as Error).message}`,
      hint: 'write it as JSON: { "my-model": { "input": 0.5, "output": 1.5 } } (USD per million tokens)',
      subject: options.file,
      cause,
    });
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new LoreError({ code: 'INVALID_ARGUMENT', message: `The price table ${options.file} is not a JSON object`, subject: options.file });
  }
  const table = { ...DEFAULT_PRICES };
  for (const [name, price] of Object.entries(parsed as Record<string, unknown>)) {
    const p = price as Partial<ModelPrice> | null;
    const ok = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
    if (!p || !ok(p.input) || !ok(p.output) || (p.cachedInput !== undefined && !ok(p.cachedInput))) {
      throw new LoreError({
        code: 'INVALID_ARGUMENT',
        message: `The price of "${name}" in ${options.file} is not { "input": number, "output": number }`,
        hint: 'prices are non-negative USD per million tokens',
        subject: options.file,
      });
    }
    table[name] = { input: p.input!, output: p.output!, ...(p.cachedInput !== undefined ? { cachedInput: p.cachedInput } : {}) };
  }
  return table;
}

/** The price for a model name: exact, else the longest key it starts with followed by `-` or `@` or `:`. */
export function findPrice(table: PriceTable, model: string): { key: string; price: ModelPrice } | undefined {
  const name = model.replace(/^.*\//, ''); // OpenRouter-style `openai/gpt-4o`
  if (table[name]) return { key: name, price: table[name] };
  let best: string | undefined;
  for (const key of Object.keys(table)) {
    if (name.startsWith(key) && /[-@:.]/.test(name.charAt(key.length)) && (!best || key.length > best.length)) best = key;
  }
  return best ? { key: best, price: table[best]! } : undefined;
}
