import type { Command } from 'commander';
import { embedChunks } from '../../ingest/embed-chunks.js';
import { LoreError } from '../../spec/errors.js';
import type { CommandContext } from '../main.js';
import { createProgressBar } from '../progress-bar.js';
import { chooseEmbedder } from './embedder-option.js';
import { printJson, withStore } from './open-store.js';

export function registerReindex(program: Command, _context: CommandContext): void {
  program
    .command('reindex')
    .description("embed a collection's chunks again, with another embedder or to finish an interrupted run")
    .requiredOption('-c, --collection <name>', 'the collection')
    .option('--embedder <spec>', "embedding model (default: the collection's, or local)")
    .option('--no-progress', 'no progress bar')
    .addHelpText('after', '\nTexts embedded before by the same model come from the embedding cache, so switching back is fast.\n\nExample:\n  lore reindex --collection docs --embedder local')
    .action(async (opts: { collection: string; embedder?: string; progress: boolean }, command: Command) => {
      await withStore(command, async (store, global) => {
        const info = await store.getCollection(opts.collection);
        if (!info) throw new LoreError({ code: 'NOT_FOUND', message: `No collection named "${opts.collection}"`, hint: 'see `lore collections`' });
        const embedder = await chooseEmbedder({ spec: opts.embedder ?? 'local', store, collection: opts.embedder ? undefined : opts.collection });
        if (!embedder) throw new LoreError({ code: 'INVALID_ARGUMENT', message: '--embedder none has nothing to index', hint: 'pass --embedder local' });
        let removed = 0;
        if (info.settings['embedder'] !== embedder.id) {
          // One embedder per collection: the old vectors go (they stay in the embedding cache).
          removed = await store.clearVectors({ collection: opts.collection });
          await store.updateCollectionSettings(opts.collection, { embedder: embedder.id, dimensions: embedder.dimensions });
        }
        const bar = createProgressBar({ enabled: opts.progress && !global.json ? undefined : false });
        const started = Date.now();
        const result = await embedChunks({
          store,
          collection: opts.collection,
          embedder,
          onProgress: (p) => bar.update(p.done, p.total, `chunks · ${p.cached} cached · ${p.skipped} skipped (language)`),
        });
        bar.done();
        await embedder.close?.();
        const summary = { collection: opts.collection, embedder: embedder.id, removedVectors: removed, ...result, durationMs: Date.now() - started };
        if (global.json) printJson(summary);
        else process.stdout.write(`Reindexed "${opts.collection}" with ${embedder.id}: ${result.embedded} embedded, ${result.cached} from cache, ${result.skipped} skipped (language) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
      });
    });
}
