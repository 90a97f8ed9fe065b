import { Option, type Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { readableText, type Answer, type Citation } from '../../rag/answer.js';
import { chatTurn } from '../../rag/chat-turn.js';
import { DEFAULT_ANSWER_CHUNKS } from '../../rag/extractive-answer.js';
import { resolveLanguageModel } from '../../models/resolve-model.js';
import { SEARCH_MODES, type SearchMode } from '../../retrieve/search.js';
import { isLoreError, LoreError } from '../../spec/errors.js';
import type { SessionInfo, SessionStore } from '../../spec/session.js';
import { companionsOf } from '../../store/open-companions.js';
import { displayPath, oneLine } from '../format.js';
import type { CommandContext } from '../main.js';
import { formatCitation } from './ask.js';
import { chooseEmbedder } from './embedder-option.js';
import { modelAccounting, modelEnvironment } from './model-environment.js';
import { parseCount } from './parse-options.js';
import { addGgufOptions, ggufSettings, type GgufCliOptions } from './gguf-options.js';
import { printJson, withStore } from './open-store.js';

interface ChatCliOptions extends GgufCliOptions {
  session?: string;
  list?: boolean;
  show?: string;
  delete?: string;
  collection?: string;
  model?: string;
  mode: SearchMode;
  k: number;
  embedder?: string;
  condense: boolean;
  summary: boolean;
  memoryTokens: number;
}

const HELP = [
  'Commands: /sources  the passages the last answer cited',
  '          /reset    forget this conversation (keeps the session name)',
  '          /save [file]  write the conversation as Markdown (or JSON if the file ends in .json)',
  '          /help     this list',
  '          /exit     leave (Ctrl-D also works; Ctrl-C stops an answer being written)',
].join('\n');

export function registerChat(program: Command, _context: CommandContext): void {
  const command = program.command('chat');
  addGgufOptions(command);
  command
    .description('talk with your documents: follow-up questions keep their context, and the conversation is saved')
    .option('-s, --session <name>', 'resume this session, or start one with this name (default: a new one)')
    .option('--list', 'list saved sessions')
    .option('--show <name>', 'print a saved session')
    .option('--delete <name>', 'delete a saved session')
    .option('-c, --collection <name>', 'only this collection')
    .option('--model <spec>', 'write answers with a language model (default: $LORE_MODEL; none: extractive answers)')
    .addOption(new Option('--mode <mode>', 'retrieval mode').choices(SEARCH_MODES as string[]).default('hybrid'))
    .option('-k, --k <n>', 'chunks retrieved per question', parseCount, DEFAULT_ANSWER_CHUNKS)
    .option('--embedder <spec>', "embedding model for retrieval: local, none; default: the collection's")
    .option('--no-condense', 'search with each question as typed, without rewriting follow-ups')
    .option('--no-summary', 'do not summarise older turns with the model')
    .option('--memory-tokens <n>', 'tokens of recent conversation sent with each question', parseCount, 1500)
    .addHelpText(
      'after',
      [
        '',
        HELP,
        '',
        'Questions can also be piped in, one per line; with --json each answer is printed as one JSON line.',
        '',
        'Examples:',
        '  lore chat',
        '  lore chat --session turbines --model ollama:qwen2.5:7b',
        '  printf "how often is the gearbox oil replaced?\\nwhat does it cost?\\n" | lore chat --json',
      ].join('\n'),
    )
    .action(async (opts: ChatCliOptions, command: Command) => {
      await withStore(command, async (store, global) => {
        const sessions = companionsOf(store).sessions;
        if (opts.list) return listSessions(sessions, global.json);
        if (opts.show) return showSession(sessions, opts.show, global.json);
        if (opts.delete) {
          if (!(await sessions.deleteSession(opts.delete))) throw new LoreError({ code: 'NOT_FOUND', message: `No session "${opts.delete}"`, hint: 'see `lore chat --list`' });
          if (global.json) printJson({ deleted: opts.delete });
          else process.stdout.write(`Deleted session ${opts.delete}.\n`);
          return;
        }

        const existing = opts.session ? await sessions.getSession(opts.session) : undefined;
        // A resumed session keeps the collection and model it was started with, unless told otherwise.
        const saved = existing?.settings ?? {};
        const collection = opts.collection ?? (saved['collection'] as string | undefined);
        const modelSpec = opts.model ?? (saved['model'] as string | undefined) ?? (process.env['LORE_MODEL'] || undefined);
        const session = existing ?? (await sessions.createSession({ id: opts.session, settings: { collection, model: modelSpec } }));
        const useModel = modelSpec && modelSpec !== 'extractive';
        const model = useModel ? resolveLanguageModel({ spec: modelSpec, ...modelEnvironment(), ...modelAccounting(), gguf: ggufSettings(opts) }) : undefined;
        const embedder = opts.mode === 'keyword' ? undefined : await chooseEmbedder({ spec: opts.embedder, store, collection });
        const interactive = Boolean(process.stdin.isTTY) && !global.json;
        const say = (text: string) => process.stderr.write(text);
        if (interactive) {
          say(`Session ${session.id}${existing ? ` (resumed, ${existing.turnCount / 2} questions so far)` : ''} · ${model ? model.id : 'extractive answers (no model: set --model or LORE_MODEL)'}\n`);
          say('Type a question, or /help.\n');
        }

        let last: Answer | undefined;
        let running: AbortController | undefined;
        const rl = createInterface({ input: process.stdin, output: interactive ? process.stdout : undefined, terminal: interactive, prompt: '› ' });
        rl.on('SIGINT', () => {
          if (running) running.abort();
          else rl.close();
        });
        if (interactive) rl.prompt();
        try {
          for await (const raw of rl) {
            const line = raw.trim();
            if (!line) {
              if (interactive) rl.prompt();
              continue;
            }
            if (line.startsWith('/')) {
              const [name, ...rest] = line.split(/\s+/);
              if (name === '/exit' || name === '/quit') break;
              else if (name === '/help') say(HELP + '\n');
              else if (name === '/sources') process.stdout.write(last?.citations.length ? last.citations.map(formatCitation).join('\n') + '\n' : 'No sources yet.\n');
              else if (name === '/reset') {
                await sessions.clearSession(session.id);
                last = undefined;
                say('Conversation cleared.\n');
              } else if (name === '/save') {
                const file = rest.join(' ') || `lore-chat-${session.id}.md`;
                await saveTranscript(sessions, session.id, file);
                say(`Saved to ${file}\n`);
              } else say(`Unknown command ${name}. ${HELP}\n`);
              if (interactive) rl.prompt();
              continue;
            }
            running = new AbortController();
            try {
              const result = await chatTurn({
                store,
                sessions,
                sessionId: session.id,
                question: line,
                model,
                embedder,
                k: opts.k,
                mode: opts.mode,
                filter: { collection },
                condense: opts.condense,
                memory: { bufferTokens: opts.memoryTokens, summary: opts.summary },
                onText: global.json ? undefined : (delta) => process.stdout.write(delta),
                signal: running.signal,
              });
              last = result.answer;
              if (global.json) {
                process.stdout.write(JSON.stringify({ session: session.id, ...result.answer, standalone: result.condensed.standalone, condensed: result.condensed.method }) + '\n');
              } else {
                process.stdout.write('\n');
                if (result.condensed.method !== 'unchanged') say(dim(`(searched for: ${oneLine(result.condensed.standalone, 120)})`) + '\n');
                if (last.citations.length) say(dim(`Sources: ${last.citations.map(shortCitation).join(' · ')}`) + '\n');
              }
            } catch (error) {
              // A failed turn is reported and the conversation goes on; nothing of it was saved.
              if (isLoreError(error, 'ABORTED')) say('\n(stopped)\n');
              else if (isLoreError(error) && interactive) say(`\nerror: ${error.message}${error.hint ? ` — ${error.hint}` : ''}\n`);
              else throw error;
            } finally {
              running = undefined;
            }
            if (interactive) rl.prompt();
          }
        } finally {
          rl.close();
          await embedder?.close?.();
          await model?.close?.();
        }
      });
    });
}

function shortCitation(c: Citation): string {
  const where = c.page ? `p. ${c.page}` : c.headingPath.at(-1) ?? '';
  return `[${c.n}] ${displayPath(c.source)}${where ? ` › ${where}` : ''}`;
}

async function listSessions(sessions: SessionStore, json?: boolean): Promise<void> {
  const list = await sessions.listSessions();
  if (json) return printJson(list);
  if (list.length === 0) {
    process.stdout.write('No saved sessions. Start one with `lore chat --session NAME`.\n');
    return;
  }
  const row = (s: SessionInfo) => `${s.id.padEnd(12)} ${String(s.turnCount / 2).padStart(3)} questions  ${s.updatedAt.slice(0, 16).replace('T', ' ')}  ${oneLine(s.title ?? '', 60)}`;
  process.stdout.write(list.map(row).join('\n') + '\n');
}

async function transcript(sessions: SessionStore, id: string): Promise<string> {
  const info = (await sessions.getSession(id))!;
  const lines = [`# ${info.title ?? id}`, '', `Session \`${id}\`, started ${info.createdAt}.`, ''];
  for (const t of await sessions.turns(id)) {
    if (t.role === 'user') lines.push(`**You:** ${t.content}`, '');
    else {
      lines.push(`**Lore:** ${t.content}`, '');
      for (const c of t.citations as Citation[]) lines.push(`> [${c.n}] ${displayPath(c.source)} — ${oneLine(readableText(c.quote), 160)}`);
      lines.push('');
    }
  }
  return lines.join('\n');
}

async function showSession(sessions: SessionStore, id: string, json?: boolean): Promise<void> {
  const info = await sessions.getSession(id);
  if (!info) throw new LoreError({ code: 'NOT_FOUND', message: `No session "${id}"`, hint: 'see `lore chat --list`' });
  if (json) return printJson({ ...info, turns: await sessions.turns(id) });
  process.stdout.write(await transcript(sessions, id));
}

async function saveTranscript(sessions: SessionStore, id: string, file: string): Promise<void> {
  const body = file.endsWith('.json') ? JSON.stringify({ ...(await sessions.getSession(id)), turns: await sessions.turns(id) }, null, 2) : await transcript(sessions, id);
  writeFileSync(file, body + '\n');
}

function dim(text: string): string {
  return process.stderr.isTTY && !process.env['NO_COLOR'] ? `\x1b[2m${text}\x1b[22m` : text;
}
