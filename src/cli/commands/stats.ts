import type { Command } from 'commander';
import type { CommandContext } from '../main.js';
import { formatBytes } from '../../ingest/ingest.js';
import { isPostgresLocation } from '../../store/open-store.js';
import { printJson, withStore } from './open-store.js';

export function registerStats(program: Command, _context: CommandContext): void {
  program
    .command('stats')
    .description('show the database: where it is, its size (PostgreSQL: of Lore\'s tables), and what it holds')
    .action(async (_opts: unknown, command: Command) => {
      await withStore(
        command,
        async (store, global) => {
          const stats = await store.stats();
          const collections = await store.listCollections();
          if (global.json) return printJson({ ...stats, collections });
          process.stdout.write(
            [
              isPostgresLocation(stats.path)
                ? `Database:    ${stats.path} (PostgreSQL; Lore's tables and indexes: ${formatBytes(stats.fileBytes)}, schema v${stats.schemaVersion})`
                : `Database:    ${stats.path} (${formatBytes(stats.fileBytes)}, schema v${stats.schemaVersion})`,
              `Collections: ${stats.collections}`,
              `Documents:   ${stats.documents}`,
              `Chunks:      ${stats.chunks}`,
              ...collections.map((c) => `  ${c.name}: ${c.documentCount} documents, ${c.chunkCount} chunks`),
            ].join('\n') + '\n',
          );
        },
        { readonly: true },
      );
    });
}
