import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { runAgent } from '../../agent/run-agent.js';
import type { AgentEvent } from '../../agent/agent-events.js';
import type { ApprovalRequest } from '../../agent/approval.js';
import { createCalculatorTool } from '../../agent/tools/calculator-tool.js';
import { createCodeTool } from '../../agent/tools/code-tool.js';
import { createFetchTool } from '../../agent/tools/fetch-tool.js';
import { createFileReadTool } from '../../agent/tools/file-read-tool.js';
import { createSearchTool } from '../../agent/tools/search-tool.js';
import { connectMcpServers } from '../../agent/mcp/connect-mcp.js';
import { openSqlDatabase } from '../../sql/open-sql-database.js';
import { createSqlQueryTool } from '../../sql/sql-query-tool.js';
import { loadMcpConfig } from '../../agent/mcp/mcp-config.js';
import { resolveLanguageModel } from '../../models/resolve-model.js';
import { LoreError } from '../../spec/errors.js';
import type { EmbeddingModel } from '../../spec/models.js';
import type { Store } from '../../spec/store.js';
import type { Tool } from '../../spec/tool.js';
import { isPostgresLocation, openStore } from '../../store/open-store.js';
import { oneLine } from '../format.js';
import { EXIT } from '../exit-codes.js';
import { resolveDbPath, type CommandContext, type GlobalOptions } from '../main.js';
import { chooseEmbedder } from './embedder-option.js';
import { addGgufOptions, ggufSettings, type GgufCliOptions } from './gguf-options.js';
import { modelAccounting, modelEnvironment } from './model-environment.js';

/** The names `--tools` takes, each a built-in tool. */
export const AGENT_TOOL_NAMES = ['search', 'calculator', 'fetch', 'files', 'code'] as const;
type AgentToolName = (typeof AGENT_TOOL_NAMES)[number];

interface AgentCliOptions extends GgufCliOptions {
  tools?: AgentToolName[];
  mcp?: string[];
  sql?: string[];
  model?: string;
  allow: string[];
  maxSteps: number;
  maxTime?: number;
  maxTokens?: number;
  protocol: 'auto' | 'native' | 'react';
  collection?: string;
  embedder?: string;
  root: string[];
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
}

function list(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((s) => s.trim()).filter(Boolean)];
}

function toolList(value: string, previous: AgentToolName[] | undefined): AgentToolName[] {
  const names = list(value, previous);
  for (const n of names) if (!(AGENT_TOOL_NAMES as readonly string[]).includes(n)) throw new InvalidArgumentError(`unknown tool "${n}" (the tools are ${AGENT_TOOL_NAMES.join(', ')})`);
  return names as AgentToolName[];
}

function repeatable(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

const dim = (s: string) => (process.stderr.isTTY ? `\x1b[2m${s}\x1b[22m` : s);

/** Asks on the terminal; one question at a time (the agent serialises approvals). Anything but y/yes is no. */
function askOnTerminal(request: ApprovalRequest): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  const args = oneLine(JSON.stringify(request.arguments), 300);
  return new Promise((resolve) => {
    // Answered before closing: close() emits 'close' at once, which counts as "no" (Ctrl-D, a closed terminal).
    rl.question(`Allow ${request.tool.name} (${request.tool.risk}) with ${args}? [y/N] `, (line) => {
      resolve(/^\s*y(es)?\s*$/i.test(line));
      rl.close();
    });
    rl.once('close', () => resolve(false));
  });
}

/** What a person watching sees on stderr: each step's thought, calls and results, as they happen. */
function showEvent(event: AgentEvent): void {
  switch (event.type) {
    case 'step':
      if (event.step > 1) process.stderr.write('\n');
      return;
    case 'thought':
      process.stderr.write(`${dim('thought:')} ${oneLine(event.text, 400)}\n`);
      return;
    case 'tool_call':
      process.stderr.write(`→ ${event.call.name} ${oneLine(event.call.rawArguments || '{}', 300)}${event.risk && event.risk !== 'read' ? dim(` (${event.risk})`) : ''}\n`);
      return;
    case 'tool_result': {
      const mark = event.result.status === 'ok' ? '←' : '✗';
      process.stderr.write(`${mark} ${event.result.name}${event.result.status === 'ok' ? '' : ` [${event.result.status}]`}: ${dim(oneLine(event.result.content, 300))}\n`);
      return;
    }
    case 'protocol':
      process.stderr.write(dim(`(the model refused native tool calls; using the ReAct text protocol: ${oneLine(event.reason, 200)})\n`));
      return;
    case 'stop':
      if (event.reason !== 'answer') process.stderr.write(`\nStopped: ${event.reason.replace('_', ' ')} after ${event.steps} steps.\n`);
      return;
    default:
      return;
  }
}

export function registerAgent(program: Command, context: CommandContext): void {
  const command = program.command('agent');
  addGgufOptions(command);
  command
    .description('carry out a task with tools (search your documents, calculate, fetch pages, read files, run code, MCP servers), showing each step')
    .argument('<task>', 'what to do, in words')
    .option('--tools <list>', `built-in tools, comma-separated: ${AGENT_TOOL_NAMES.join(', ')} (default: search,calculator)`, toolList)
    .option('--mcp <config.json>', 'also use the tools of the MCP servers in this file ({"mcpServers": {…}}, as Claude Desktop writes it); repeatable', repeatable)
    .option('--sql <database>', 'also query this SQL database, read-only: sqlite:PATH or postgres://user@host/name (repeatable)', repeatable)
    .option('--model <spec>', 'the language model: ollama:MODEL, openai:MODEL, anthropic:MODEL, openai-compatible:URL#MODEL, gguf:PATH (default: $LORE_MODEL)')
    .option('--allow <list>', 'run tools of these risk levels (network, write) or names without asking', list, [])
    .option('--max-steps <n>', 'model calls at most', positiveInt, 10)
    .option('--max-time <seconds>', 'stop after this many seconds', positiveInt)
    .option('--max-tokens <n>', 'stop after this many tokens (input + output, all calls)', positiveInt)
    .addOption(new Option('--protocol <protocol>', 'how the model calls tools').choices(['auto', 'native', 'react']).default('auto'))
    .option('-c, --collection <name>', 'search tool: only this collection')
    .option('--embedder <spec>', "search tool: embedding model (local, none; default: the collection's)")
    .option('--root <folder>', 'files tool: a folder it may read (repeatable; default: the current folder)', repeatable, [])
    .addHelpText(
      'after',
      [
        '',
        'Progress (thoughts, tool calls, results) goes to stderr, the answer to stdout; --json prints every event',
        'as a JSON line on stdout instead. Tools that reach the network (fetch) or change things need approval:',
        'asked on the terminal when there is one, refused otherwise unless --allow names them.',
        '',
        'Examples:',
        '  lore agent "What is the gearbox oil change interval in hours, at 3000 h per year?" --model ollama:qwen2.5:7b',
        '  lore agent "Summarise https://example.com" --tools fetch --allow network --model openai:gpt-4o-mini',
        '  lore agent "Which files mention TODO?" --tools files,code --root ./src --model anthropic:claude-sonnet-4-5',
        '  lore agent "Which wind farm had the most downtime, and what do the manuals say about it?" --sql sqlite:fleet.db --model ollama:qwen2.5:7b',
      ].join('\n'),
    )
    .action(async (task: string, opts: AgentCliOptions, cmd: Command) => {
      const global = cmd.optsWithGlobals<GlobalOptions>();
      if (!task.trim()) throw new LoreError({ code: 'INVALID_ARGUMENT', message: 'the task is empty', hint: 'lore agent "what to do"' });
      const spec = opts.model ?? (process.env['LORE_MODEL'] || undefined);
      if (!spec || spec === 'extractive') {
        throw new LoreError({ code: 'INVALID_ARGUMENT', message: 'lore agent needs a language model', hint: 'pass --model, e.g. --model ollama:qwen2.5:7b, or set LORE_MODEL' });
      }
      const names = new Set<AgentToolName>(opts.tools ?? ['search', 'calculator']);
      const dbPath = resolveDbPath(global);
      const notes: string[] = [];
      let store: Store | undefined;
      let embedder: EmbeddingModel | undefined;
      const tools: Tool[] = [];
      const cleanups: Array<() => Promise<void> | void> = [];
      try {
        if (names.has('search')) {
          if (!isPostgresLocation(dbPath) && !existsSync(dbPath)) {
            if (opts.tools) throw new LoreError({ code: 'NOT_FOUND', message: `No database at ${dbPath} for the search tool`, hint: 'run `lore ingest <folder>` first, or leave search out of --tools' });
            notes.push(`no database at ${dbPath}: the search tool is left out`);
          } else {
            store = await openStore({ location: dbPath, readonly: true });
            cleanups.push(() => store?.close());
            embedder = await chooseEmbedder({ spec: opts.embedder, store, collection: opts.collection });
            cleanups.push(() => embedder?.close?.());
            tools.push(createSearchTool({ store, collection: opts.collection, embedder }));
          }
        }
        if (names.has('calculator')) tools.push(createCalculatorTool());
        if (names.has('fetch')) tools.push(createFetchTool());
        if (names.has('files')) tools.push(createFileReadTool({ roots: opts.root.length ? opts.root : [process.cwd()] }));
        if (names.has('code')) tools.push(createCodeTool());
        for (const [i, url] of (opts.sql ?? []).entries()) {
          const db = await openSqlDatabase({ url });
          cleanups.push(() => db.close());
          tools.push(await createSqlQueryTool({ db, name: i === 0 ? 'sql_query' : `sql_query_${i + 1}` }));
        }
        for (const file of opts.mcp ?? []) {
          const mcp = await connectMcpServers({ config: loadMcpConfig({ path: file }) });
          cleanups.push(() => mcp.close());
          tools.push(...mcp.tools);
        }
        const model = resolveLanguageModel({ spec, ...modelEnvironment(), ...modelAccounting(), gguf: ggufSettings(opts) });
        cleanups.push(() => model.close?.());

        for (const note of notes) process.stderr.write(dim(`(${note})\n`));
        const interactive = process.stdin.isTTY === true && !global.json;
        const controller = new AbortController();
        const onSigint = () => controller.abort();
        process.once('SIGINT', onSigint);
        cleanups.push(() => void process.off('SIGINT', onSigint));
        const result = await runAgent({
          model,
          task,
          tools,
          protocol: opts.protocol,
          allow: opts.allow,
          approve: interactive ? askOnTerminal : undefined,
          maxSteps: opts.maxSteps,
          maxTimeMs: opts.maxTime ? opts.maxTime * 1000 : undefined,
          maxTokens: opts.maxTokens,
          signal: controller.signal,
          onEvent: global.json ? (event) => process.stdout.write(JSON.stringify(event) + '\n') : showEvent,
        });
        if (global.json) {
          process.stdout.write(
            JSON.stringify({ type: 'result', answer: result.answer ?? null, stopReason: result.stopReason, protocol: result.protocol, steps: result.steps.length, usage: result.usage, durationMs: result.durationMs }) + '\n',
          );
        } else if (result.answer !== undefined) {
          process.stdout.write(`${result.answer}\n`);
        } else {
          process.stderr.write(`${result.stopMessage ?? 'Stopped without an answer.'}\n`);
        }
        if (result.stopReason !== 'answer') context.exitCode = EXIT.partial;
      } finally {
        for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => {});
      }
    });
}
