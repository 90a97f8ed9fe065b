import type { Command } from 'commander';
import { resolve } from 'node:path';
import { LoreError } from '../../spec/errors.js';
import type { CommandContext } from '../main.js';
import { displayPath } from '../format.js';
import { printJson, withStore } from './open-store.js';

export function registerRm(program: Command, _context: CommandContext): void {
  program
    .command('rm')
    .description('remove a document (by id or path) or a whole collection')
    .argument('<target>', 'document id (from `lore docs`), document path, or collection name')
    .option('-c, --collection <name>', 'with a path: the collection it is in (default: any)')
    .option('--collection-only', 'treat <target> as a collection name only')
    .addHelpText('after', '\nExamples:\n  lore rm 3f2a9c1b0d4e5f60        (a document id)\n  lore rm ./docs/old.pdf\n  lore rm notes                    (the whole collection)')
    .action(async (target: string, opts: { collection?: string; collectionOnly?: boolean }, command: Command) => {
      await withStore(command, async (store, global) => {
        const removed: Array<{ kind: 'document' | 'collection'; name: string }> = [];
        if (!opts.collectionOnly) {
          const byId = /^\d+$/.test(target) ? await store.getDocument(Number(target)) : await store.getDocument(target);
          const docs = byId
            ? [byId]
            : (await store.listDocuments({ collection: opts.collection })).filter((d) => d.source === resolve(target));
          for (const d of docs) {
            await store.deleteDocument(d.id);
            removed.push({ kind: 'document', name: d.source });
          }
        }
        if (removed.length === 0 && (await store.deleteCollection(target))) removed.push({ kind: 'collection', name: target });
        if (removed.length === 0) {
          throw new LoreError({
            code: 'NOT_FOUND',
            message: `Nothing named "${target}": no such document id, document path or collection`,
            hint: 'see `lore docs` and `lore collections`',
            subject: target,
          });
        }
        if (global.json) printJson({ removed });
        else for (const r of removed) process.stdout.write(`Removed ${r.kind} ${r.kind === 'document' ? displayPath(r.name) : `"${r.name}"`}\n`);
      });
    });
}
