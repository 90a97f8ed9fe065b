import type { Command } from 'commander';
import type { CommandContext } from '../main.js';
import { table } from '../format.js';
import { printJson, withStore } from './open-store.js';

export function registerCollections(program: Command, _context: CommandContext): void {
  program
    .command('collections')
    .description('list collections with their document and chunk counts')
    .action(async (_opts: unknown, command: Command) => {
      await withStore(
        command,
        async (store, global) => {
          const collections = await store.listCollections();
          if (global.json) return printJson({ collections });
          if (collections.length === 0) return void process.stdout.write('No collections yet. Run `lore ingest <folder>`.\n');
          process.stdout.write(
            table([['NAME', 'DOCUMENTS', 'CHUNKS', 'CREATED'], ...collections.map((c) => [c.name, String(c.documentCount), String(c.chunkCount), c.createdAt.slice(0, 19)])]) + '\n',
          );
        },
        { readonly: true },
      );
    });
}
