import type { Command } from 'commander';
import type { Store } from '../../spec/store.js';
import { openStore } from '../../store/open-store.js';
import { resolveDbPath, type GlobalOptions } from '../main.js';

/** Opens the store named by the global --db / LORE_DB options (a SQLite file or a postgres:// URL), for the duration of `fn`. */
export async function withStore<T>(command: Command, fn: (store: Store, global: GlobalOptions) => Promise<T> | T, options: { readonly?: boolean } = {}): Promise<T> {
  const global = command.optsWithGlobals<GlobalOptions>();
  const store = await openStore({ location: resolveDbPath(global), readonly: options.readonly });
  try {
    return await fn(store, global);
  } finally {
    await store.close();
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}
