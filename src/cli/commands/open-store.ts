import type { Command } from 'commander';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { resolveDbPath, type GlobalOptions } from '../main.js';

/** Opens the store named by the global --db / LORE_DB options, for the duration of `fn`. */
export async function withStore<T>(command: Command, fn: (store: SqliteStore, global: GlobalOptions) => Promise<T> | T, options: { readonly?: boolean } = {}): Promise<T> {
  const global = command.optsWithGlobals<GlobalOptions>();
  const store = new SqliteStore({ path: resolveDbPath(global), readonly: options.readonly });
  try {
    return await fn(store, global);
  } finally {
    store.close();
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}
