import type { Command } from 'commander';
import type { CommandContext } from '../main.js';
import { displayPath, table } from '../format.js';
import { formatBytes } from '../../ingest/ingest.js';
import { printJson, withStore } from './open-store.js';

export function registerDocs(program: Command, _context: CommandContext): void {
  program
    .command('docs')
    .description('list ingested documents')
    .option('-c, --collection <name>', 'only this collection')
    .action(async (opts: { collection?: string }, command: Command) => {
      await withStore(
        command,
        async (store, global) => {
          const documents = await store.listDocuments({ collection: opts.collection });
          if (global.json) return printJson({ documents });
          if (documents.length === 0) return void process.stdout.write('No documents. Run `lore ingest <folder>`.\n');
          process.stdout.write(
            table([
              ['ID', 'COLLECTION', 'TYPE', 'CHUNKS', 'SIZE', 'SOURCE'],
              ...documents.map((d) => [d.uid, d.collection, d.type, String(d.chunkCount), formatBytes(d.bytes), displayPath(d.source)]),
            ]) + '\n',
          );
        },
        { readonly: true },
      );
    });
}
