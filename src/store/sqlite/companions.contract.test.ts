import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { createSqliteSpanExporter } from '../../trace/sqlite-span-exporter.js';
import { runCompanionContract } from '../contract/companion-contract.js';
import { companionsOf } from '../open-companions.js';
import { SqliteStore } from './sqlite-store.js';

const dir = mkdtempSync(join(tmpdir(), 'lore-companions-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

runCompanionContract('SQLite', async () => {
  const store = new SqliteStore({ path: join(dir, `c${++n}.db`) });
  return {
    companions: companionsOf(store),
    spanExporter: ({ keep }) => createSqliteSpanExporter({ db: store.db, keep }),
    close: async () => store.close(),
  };
});
