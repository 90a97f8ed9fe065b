import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../index.js';
import { asAsyncStore } from '../../store/contract/async-store.js';
import { SILENT_LOGGER } from '../logger.js';
import { startLoreServer, type LoreServer, type LoreServerOptions } from '../lore-server.js';

export interface TestServer extends LoreServer {
  dir: string;
  store: SqliteStore;
  /** Closes the server and the store, and removes the temporary folder. */
  stop(): Promise<void>;
}

/** A real server on a free loopback port over a real SQLite file in a temporary folder. */
export async function startTestServer(options: Omit<LoreServerOptions, 'store' | 'dbPath'> & { setup?: (store: SqliteStore) => void | Promise<void> } = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'lore-server-'));
  const store = new SqliteStore({ path: join(dir, 'lore.db') });
  await options.setup?.(store);
  const server = await startLoreServer({ logger: SILENT_LOGGER, processMetrics: false, embedder: 'none', ...options, port: 0, store: asAsyncStore(store) });
  return {
    ...server,
    dir,
    store,
    async stop() {
      await server.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Reads an SSE body into its events: `{ event, data }` with data parsed as JSON where it is JSON. */
export async function readSse(response: Response): Promise<Array<{ event: string | null; data: unknown }>> {
  const text = await response.text();
  const events: Array<{ event: string | null; data: unknown }> = [];
  for (const block of text.split('\n\n')) {
    if (!block.trim() || block.startsWith(':')) continue;
    let event: string | null = null;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    const raw = data.join('\n');
    let parsed: unknown = raw;
    try {
      parsed = JSON.parse(raw);
    } catch {
      /* [DONE] and other plain data */
    }
    events.push({ event, data: parsed });
  }
  return events;
}

/** Polls an ingestion job until it has finished. */
export async function waitForJob(url: string, jobId: string, headers: Record<string, string> = {}): Promise<Record<string, unknown>> {
  for (let i = 0; i < 400; i++) {
    const { job } = (await (await fetch(`${url}/api/jobs/${jobId}`, { headers })).json()) as { job: Record<string, unknown> };
    if (['done', 'failed', 'cancelled'].includes(String(job['status']))) return job;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`job ${jobId} did not finish`);
}
