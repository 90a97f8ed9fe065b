import { InvalidArgumentError, Option, type Command } from 'commander';
import { resolve } from 'node:path';
import { createLogger, type LogFormat } from '../../server/logger.js';
import { DEFAULT_PORT, startLoreServer } from '../../server/lore-server.js';
import { parseRate } from '../../server/rate-limiter.js';
import { resolveDbPath, type CommandContext, type GlobalOptions } from '../main.js';
import { modelAccounting, modelEnvironment } from './model-environment.js';
import { collect, parseCount } from './parse-options.js';

interface ServeCliOptions {
  port: number;
  host: string;
  model?: string[];
  embedder: string;
  cors?: string[];
  maxUploadMb: number;
  maxBodyKb: number;
  rateLimit: number;
  queue: number;
  concurrency: number;
  requireKeys?: boolean;
  logFormat?: LogFormat;
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port from 0 to 65535');
  return n;
}

function parsePositive(value: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new InvalidArgumentError('expected a positive number');
  return n;
}

function parseRateOption(value: string): number {
  try {
    return parseRate(value).perMinute;
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

export function registerServe(program: Command, _context: CommandContext): void {
  program
    .command('serve')
    .description('serve the REST API, an OpenAI-compatible API (/v1) and the web UI over HTTP')
    .addOption(new Option('-p, --port <n>', 'port (0: any free one)').argParser(parsePort).default(DEFAULT_PORT))
    .option('--host <addr>', 'address to bind; anything but loopback requires API keys', '127.0.0.1')
    .option('--model <spec>', 'language model(s) clients may use, comma-separated or repeated; the first writes lore/<collection> answers (default: $LORE_MODEL; none: extractive answers)', collect)
    .option('--embedder <spec>', 'embedder for queries, new collections and /v1/embeddings: local, none, or a remote spec', 'local')
    .option('--cors <origin>', 'allow browser calls from this origin (repeatable; off by default)', collect)
    .addOption(new Option('--max-upload-mb <n>', 'largest uploaded file, in MB').argParser(parsePositive).default(50))
    .addOption(new Option('--max-body-kb <n>', 'largest JSON request body, in KB').argParser(parsePositive).default(1024))
    .addOption(new Option('--rate-limit <rate>', 'requests per API key (or address) per minute, e.g. 600/min, 10/s; 0: no limit').argParser(parseRateOption).default(600, '600/min'))
    .addOption(new Option('--queue <n>', 'expensive requests that may wait for a slot before the server answers 503').argParser(parseCount).default(64))
    .addOption(new Option('--concurrency <n>', 'expensive requests (search, answers, model calls) run at once').argParser(parsePositive).default(4))
    .option('--require-keys', 'require API keys on loopback too')
    .addOption(new Option('--log-format <format>', 'request logs on stderr, one line each (default: pretty on a terminal, else json)').choices(['json', 'pretty']))
    .addHelpText(
      'after',
      [
        '',
        'Endpoints: /api/… (REST; /openapi.json describes it), /v1/chat/completions, /v1/embeddings, /v1/models',
        '(OpenAI-compatible: the model lore/<collection> answers from that collection), /healthz, /readyz, /metrics.',
        'SIGTERM or Ctrl-C stops accepting connections and lets requests in flight finish.',
        '',
        'Examples:',
        '  lore serve',
        '  lore serve --model ollama:qwen2.5:7b --port 8080',
        '  lore keys create --collections docs && lore serve --host 0.0.0.0',
        '  OPENAI_BASE_URL=http://127.0.0.1:8340/v1 your-openai-app   (model: lore/docs)',
        '',
        'Several servers can share one PostgreSQL database (--db postgres://…): collections, sessions, API keys and',
        'traces live there, so any of them can answer any request behind a load balancer (docs/postgres.md).',
        "  lore serve --db 'postgres://lore@db:5432/lore?schema=lore' --host 0.0.0.0",
      ].join('\n'),
    )
    .action(async (opts: ServeCliOptions, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const envModel = process.env['LORE_MODEL'] || undefined;
      const models = opts.model ?? (envModel ? [envModel] : []);
      const server = await startLoreServer({
        dbPath: resolveDbPath(global),
        host: opts.host,
        port: opts.port,
        requireKeys: opts.requireKeys,
        models,
        modelOptions: { ...modelEnvironment(), ...modelAccounting() },
        embedder: opts.embedder,
        corsOrigins: opts.cors,
        maxUploadBytes: Math.round(opts.maxUploadMb * 1024 * 1024),
        maxBodyBytes: Math.round(opts.maxBodyKb * 1024),
        rateLimitPerMinute: opts.rateLimit,
        queue: opts.queue,
        concurrency: opts.concurrency,
        uploadDir: process.env['LORE_UPLOAD_DIR'] ? resolve(process.env['LORE_UPLOAD_DIR']) : undefined,
        logger: createLogger({ format: opts.logFormat ?? (process.stderr.isTTY ? 'pretty' : 'json') }),
      });
      if (global.json) process.stdout.write(JSON.stringify({ url: server.url }) + '\n');
      else process.stdout.write(`Lore is serving ${server.context.store.path} at ${server.url}\n`);
      // The command ends when a signal has been handled: requests in flight finish first.
      await new Promise<void>((done) => {
        const stop = (signal: NodeJS.Signals) => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          server.context.logger.log('info', 'shutting down', { signal });
          void server.close().then(done, done);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
