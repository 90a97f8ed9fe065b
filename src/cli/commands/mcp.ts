import { InvalidArgumentError, Option, type Command } from 'commander';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createLoreMcpServer } from '../../agent/mcp/lore-mcp-server.js';
import { resolveLanguageModel } from '../../models/resolve-model.js';
import { SEARCH_MODES, type SearchMode } from '../../retrieve/search.js';
import { LoreError } from '../../spec/errors.js';
import { openStore } from '../../store/open-store.js';
import { resolveDbPath, type CommandContext, type GlobalOptions } from '../main.js';
import { chooseEmbedder } from './embedder-option.js';
import { addGgufOptions, ggufSettings, type GgufCliOptions } from './gguf-options.js';
import { modelAccounting, modelEnvironment } from './model-environment.js';

interface McpCliOptions extends GgufCliOptions {
  collection: string[];
  mode: SearchMode;
  embedder?: string;
  model?: string;
}

function repeatable(value: string, previous: string[] | undefined): string[] {
  if (!value.trim()) throw new InvalidArgumentError('expected a collection name');
  return [...(previous ?? []), value];
}

export function registerMcp(program: Command, _context: CommandContext): void {
  const command = program.command('mcp');
  addGgufOptions(command);
  command
    .description('serve your collections to MCP clients (Claude Desktop, IDEs, other agents) over stdio: tools search and ask, documents as resources')
    .option('-c, --collection <name>', 'only this collection (repeatable; default: all)', repeatable, [])
    .addOption(new Option('--mode <mode>', 'retrieval mode').choices(SEARCH_MODES as string[]).default('hybrid'))
    .option('--embedder <spec>', "embedding model for retrieval: local, none; default: the collection's")
    .option('--model <spec>', 'write `ask` answers with this model (default: $LORE_MODEL; none: extractive answers)')
    .addHelpText(
      'after',
      [
        '',
        'Speaks the Model Context Protocol on stdin/stdout until the client disconnects; logs go to stderr.',
        'Claude Desktop (claude_desktop_config.json):',
        '  { "mcpServers": { "lore": { "command": "lore", "args": ["mcp", "--db", "/path/to/.lore/lore.db"] } } }',
      ].join('\n'),
    )
    .action(async (opts: McpCliOptions, cmd: Command) => {
      const global = cmd.optsWithGlobals<GlobalOptions>();
      const store = await openStore({ location: resolveDbPath(global), readonly: true });
      try {
        for (const c of opts.collection) {
          if (!(await store.getCollection(c))) throw new LoreError({ code: 'NOT_FOUND', message: `No collection "${c}"`, hint: 'see `lore collections`' });
        }
        const embedder = opts.mode === 'keyword' ? undefined : await chooseEmbedder({ spec: opts.embedder, store, collection: opts.collection.length === 1 ? opts.collection[0] : undefined });
        const spec = opts.model ?? (process.env['LORE_MODEL'] || undefined);
        const model = spec && spec !== 'extractive' ? resolveLanguageModel({ spec, ...modelEnvironment(), ...modelAccounting(), gguf: ggufSettings(opts) }) : undefined;
        const server = createLoreMcpServer({ store, collections: opts.collection, embedder, mode: opts.mode, model });
        const transport = new StdioServerTransport();
        // Served until the client closes our stdin (or a signal asks us to stop).
        await new Promise<void>((resolve, reject) => {
          const stop = () => void server.close().then(resolve, reject);
          process.stdin.once('end', stop);
          process.stdin.once('close', stop);
          process.once('SIGTERM', stop);
          process.once('SIGINT', stop);
          server.server.onclose = () => resolve();
          server.connect(transport).catch(reject);
        });
        await model?.close?.();
        await embedder?.close?.();
      } finally {
        await store.close();
      }
    });
}
