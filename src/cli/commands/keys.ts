import type { Command } from 'commander';
import { companionsOf } from '../../store/open-companions.js';
import { LoreError } from '../../spec/errors.js';
import type { CommandContext } from '../main.js';
import { table } from '../format.js';
import { collect } from './parse-options.js';
import { printJson, withStore } from './open-store.js';

export function registerKeys(program: Command, _context: CommandContext): void {
  const keys = program.command('keys').description('API keys for `lore serve`: scoped to collections, stored hashed, revocable');

  keys
    .command('create')
    .description('make a key; it is printed once and cannot be shown again')
    .requiredOption('--collections <names>', 'collections the key may use, comma-separated ("*" for all)', collect)
    .option('--read-only', 'search and ask only: no uploads, deletions or new collections')
    .option('--name <text>', 'a note on what the key is for')
    .addHelpText('after', '\nExamples:\n  lore keys create --collections docs,notes\n  lore keys create --collections docs --read-only --name "intranet search"')
    .action(async (opts: { collections: string[]; readOnly?: boolean; name?: string }, command: Command) => {
      await withStore(command, async (store, global) => {
        const { key, info } = await companionsOf(store).keys.createKey({ collections: opts.collections, readOnly: opts.readOnly, name: opts.name });
        if (global.json) return printJson({ key, ...info });
        process.stdout.write(`${key}\n`);
        process.stderr.write(
          `Key ${info.id} for ${info.collections.join(', ')}${info.readOnly ? ' (read-only)' : ''}. Store it now: only its hash is kept.\n` +
            'Send it as `Authorization: Bearer <key>`.\n',
        );
      });
    });

  keys
    .command('list')
    .description('list keys (never the keys themselves)')
    .action(async (_opts: unknown, command: Command) => {
      await withStore(command, async (store, global) => {
        const list = await companionsOf(store).keys.listKeys();
        if (global.json) return printJson({ keys: list });
        if (list.length === 0) return void process.stdout.write('No API keys. Make one with `lore keys create --collections NAME`.\n');
        const rows = list.map((k) => [
          k.id,
          k.collections.join(','),
          k.readOnly ? 'read-only' : 'read-write',
          k.revokedAt ? `revoked ${k.revokedAt.slice(0, 10)}` : 'active',
          k.lastUsedAt ? k.lastUsedAt.slice(0, 16).replace('T', ' ') : 'never',
          k.name ?? '',
        ]);
        process.stdout.write(table([['ID', 'COLLECTIONS', 'ACCESS', 'STATUS', 'LAST USED', 'NAME'], ...rows]) + '\n');
      });
    });

  keys
    .command('revoke')
    .description('revoke a key: requests with it get 401 from then on')
    .argument('<id>', 'the key id, from `lore keys list`')
    .action(async (id: string, _opts: unknown, command: Command) => {
      await withStore(command, async (store, global) => {
        if (!(await companionsOf(store).keys.revokeKey(id))) {
          throw new LoreError({ code: 'NOT_FOUND', message: `No active key "${id}"`, hint: 'see `lore keys list`', subject: id });
        }
        if (global.json) printJson({ revoked: id });
        else process.stdout.write(`Revoked key ${id}.\n`);
      });
    });
}
