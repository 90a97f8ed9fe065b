import { Command, CommanderError, Option } from 'commander';
import { resolve } from 'node:path';
import { isLoreError, LoreError } from '../spec/errors.js';
import { isPostgresLocation } from '../store/open-store.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { registerIngest } from './commands/ingest.js';
import { registerSearch } from './commands/search.js';
import { registerCollections } from './commands/collections.js';
import { registerDocs } from './commands/docs.js';
import { registerRm } from './commands/rm.js';
import { registerStats } from './commands/stats.js';
import { registerEval } from './commands/eval.js';
import { registerReindex } from './commands/reindex.js';
import { registerModels } from './commands/models.js';
import { registerAsk } from './commands/ask.js';
import { registerChat } from './commands/chat.js';
import { registerServe } from './commands/serve.js';
import { registerWorker } from './commands/worker.js';
import { registerKeys } from './commands/keys.js';
import { registerTrace, registerTraces } from './commands/traces.js';
import { beginCommandTrace, endCommandTrace } from './command-tracing.js';
import { registerSql } from './commands/sql.js';
import { registerGuard } from './commands/guard.js';
import { registerRedteam } from './commands/redteam.js';
import { registerAgent } from './commands/agent.js';
import { registerMcp } from './commands/mcp.js';

export interface GlobalOptions {
  db?: string;
  json?: boolean;
}

/** Where the database lives: --db, then LORE_DB, then ./.lore/lore.db; a postgres:// URL is kept as written. */
export function resolveDbPath(opts: GlobalOptions): string {
  // An empty LORE_DB counts as unset.
  const location = opts.db || process.env['LORE_DB'] || '.lore/lore.db';
  return isPostgresLocation(location) ? location.trim() : resolve(location);
}

export interface CommandContext {
  /** Set by a command to report partial failure or similar. */
  exitCode: number;
}

export function buildProgram(context: CommandContext): Command {
  const program = new Command('lore')
    .description('Lore: point it at a folder of documents (English or Chinese), then search them.')
    .version('0.1.0', '-v, --version')
    .addOption(new Option('--db <path>', 'database file or postgres://… URL (default: $LORE_DB or ./.lore/lore.db)'))
    .option('--json', 'print machine-readable JSON on stdout')
    .option('--no-trace', 'record no trace of this command (default: agent, ask, chat, ingest, search and serve are traced; LORE_TRACE=0/1)')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ showGlobalOptions: true })
    .exitOverride();
  for (const register of [registerIngest, registerSearch, registerAsk, registerChat, registerCollections, registerDocs, registerRm, registerStats, registerReindex, registerEval, registerModels, registerServe, registerWorker, registerKeys, registerAgent, registerMcp]) {
    register(program, context);
  }
  registerTraces(program, context);
  registerTrace(program, context);
  program.hook('preAction', (_program, actionCommand) => beginCommandTrace(actionCommand));
  registerSql(program, context);
  registerGuard(program, context);
  registerRedteam(program, context);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** Runs the CLI and returns the exit code, never throws: every failure becomes a one-line message. */
export async function main(argv: string[]): Promise<number> {
  const context: CommandContext = { exitCode: EXIT.ok };
  const program = buildProgram(context);
  const wantsJson = argv.includes('--json');
  try {
    await program.parseAsync(argv, { from: 'user' });
    await endCommandTrace({ exitCode: context.exitCode });
    return context.exitCode;
  } catch (error) {
    await endCommandTrace({ error });
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT.ok;
      return EXIT.usage;
    }
    const lore = isLoreError(error)
      ? error
      : new LoreError({ code: 'INTERNAL', message: `unexpected error: ${(error as Error)?.stack ?? String(error)}`, hint: 'please report this' });
    if (wantsJson) process.stdout.write(JSON.stringify({ error: { code: lore.code, message: lore.message } }) + '\n');
    process.stderr.write(`lore: ${lore.message}\n`);
    return exitCodeFor(lore.code);
  }
}
