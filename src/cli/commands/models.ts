import type { Command } from 'commander';
import { probeLocalServers } from '../../models/probe-local-servers.js';
import type { CommandContext } from '../main.js';
import { printJson } from './open-store.js';

export function registerModels(program: Command, _context: CommandContext): void {
  program
    .command('models')
    .description('list the configured model and the local model servers that answer (Ollama, LM Studio, vLLM, llama.cpp server)')
    .action(async (_opts: unknown, command: Command) => {
      const global = command.optsWithGlobals<{ json?: boolean }>();
      const configured = {
        model: process.env['LORE_MODEL'] || null,
        embedder: 'local:use-lite@1',
        keys: { openai: Boolean(process.env['OPENAI_API_KEY']), anthropic: Boolean(process.env['ANTHROPIC_API_KEY']) },
      };
      const servers = await probeLocalServers({ host: process.env['LORE_PROBE_HOST'] || undefined });
      if (global.json) return printJson({ configured, servers });
      const lines = [
        `Model (LORE_MODEL): ${configured.model ?? 'none — answers are extractive; set LORE_MODEL or pass --model'}`,
        `Embedder: ${configured.embedder} (bundled)`,
        `API keys: OPENAI_API_KEY ${configured.keys.openai ? 'set' : 'not set'}, ANTHROPIC_API_KEY ${configured.keys.anthropic ? 'set' : 'not set'}`,
        '',
        servers.length === 0 ? 'No local model server answered on 127.0.0.1 (Ollama 11434, LM Studio 1234, vLLM 8000, llama.cpp 8080).' : 'Local servers:',
        ...servers.flatMap((s) => [`  ${s.name} at ${s.baseUrl}`, ...s.models.map((m) => `    ${m}`)]),
      ];
      process.stdout.write(lines.join('\n') + '\n');
    });
}
