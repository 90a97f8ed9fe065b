import { Command, Option } from 'commander';
import { ingest, formatBytes, DEFAULT_COLLECTION, type IngestReport } from '../../ingest/ingest.js';
import { EXIT } from '../exit-codes.js';
import { displayPath } from '../format.js';
import type { CommandContext } from '../main.js';
import { createProgressBar } from '../progress-bar.js';
import { collect, parseCount, parseSize } from './parse-options.js';
import { printJson, withStore } from './open-store.js';
import { chooseEmbedder } from './embedder-option.js';
import { DEFAULT_SPLIT_OPTIONS } from '../../ingest/split/split-options.js';
import { addQueueOptions, queueIngest, wantsQueue, type IngestQueueCliOptions } from './ingest-queue.js';
import { LoreError } from '../../spec/errors.js';

interface IngestCliOptions extends IngestQueueCliOptions {
  collection: string;
  include?: string[];
  exclude?: string[];
  gitignore: boolean;
  maxFileSize: number;
  chunkSize: number;
  overlap: number;
  textFields?: string[];
  idField?: string;
  encoding?: string;
  prune?: boolean;
  concurrency: number;
  progress: boolean;
  embedder: string;
}

export function registerIngest(program: Command, context: CommandContext): void {
  const command = program
    .command('ingest')
    .description('load, split and index files and folders (PDF, DOCX, HTML, Markdown, CSV, JSON/JSONL, text, code)')
    .argument('[paths...]', 'files or folders to ingest')
    .option('-c, --collection <name>', 'collection to put the documents in', DEFAULT_COLLECTION)
    .option('--include <glob>', 'only files matching this glob (repeatable, comma-separated)', collect)
    .option('--exclude <glob>', 'skip files and folders matching this glob (repeatable)', collect)
    .option('--no-gitignore', 'do not honour .gitignore files')
    .addOption(new Option('--max-file-size <size>', 'refuse larger files (e.g. 20MB, 512KB)').argParser(parseSize).default(100 * 1024 * 1024, '100MB'))
    .option('--chunk-size <tokens>', 'target chunk size in tokens', parseCount, DEFAULT_SPLIT_OPTIONS.chunkSize)
    .option('--overlap <tokens>', 'tokens repeated between consecutive chunks', parseCount, DEFAULT_SPLIT_OPTIONS.overlap)
    .option('--text-fields <fields>', 'JSON/JSONL: fields that hold the text (comma-separated); the rest become metadata', collect)
    .option('--id-field <field>', 'JSON/JSONL: field that holds a record id')
    .option('--encoding <name>', 'read text files in this encoding instead of detecting it (e.g. gb18030, utf-16le)')
    .option('--prune', 'remove documents under the given folders whose files are gone')
    .addOption(new Option('--concurrency <n>', 'files loaded at once').argParser(parseCount).default(4))
    .option('--embedder <spec>', 'embed chunks for vector and hybrid search: local (the bundled English model) or none', 'local')
    .option('--no-progress', 'no progress bar');
  addQueueOptions(command)
    .addHelpText(
      'after',
      `
Unchanged files are skipped (content hash); changed files replace their chunks in one transaction.
Exit code 1 means some files failed (each is listed with the reason); the others were ingested.

Examples:
  lore ingest ./docs
  lore ingest ./notes --collection notes --exclude "drafts/**"
  lore ingest data.jsonl --text-fields title,text --id-field _id
  lore ingest ./big-archive --embedder none      (keyword search only: much faster)
  lore ingest ./archive --queue redis://queue.internal:6379 --wait   (for \`lore worker\`s: docs/queue.md)
  lore ingest --status --queue redis://queue.internal:6379`,
    )
    .action(async (paths: string[], opts: IngestCliOptions, command: Command) => {
      const loaderOptions = { textFields: opts.textFields, idField: opts.idField, encoding: opts.encoding };
      if (wantsQueue(opts)) return queueIngest({ paths, opts: { ...opts, loaderOptions }, command, context });
      if (paths.length === 0) throw new LoreError({ code: 'INVALID_ARGUMENT', message: 'Nothing to ingest: give files or folders', hint: 'e.g. lore ingest ./docs' });
      await withStore(command, async (store, global) => {
        const bar = createProgressBar({ enabled: opts.progress && !global.json ? undefined : false });
        const started = Date.now();
        const embedder = await chooseEmbedder({ spec: opts.embedder });
        let embedStarted = 0;
        const report = await ingest({
          store,
          paths,
          collection: opts.collection,
          include: opts.include,
          exclude: opts.exclude,
          gitignore: opts.gitignore,
          maxFileSize: opts.maxFileSize,
          chunkSize: opts.chunkSize,
          overlap: opts.overlap,
          loaderOptions: { textFields: opts.textFields, idField: opts.idField, encoding: opts.encoding },
          prune: opts.prune,
          concurrency: opts.concurrency,
          embedder,
          onEmbedProgress: (p) => {
            embedStarted ||= Date.now();
            const seconds = Math.max(0.001, (Date.now() - embedStarted) / 1000);
            bar.update(p.done, p.total, `chunks embedded · ${p.cached} cached · ${p.skipped} skipped (language) · ${(p.embedded / seconds).toFixed(1)}/s`);
          },
          onProgress: (p) => {
            const seconds = Math.max(0.001, (Date.now() - started) / 1000);
            bar.update(
              p.filesDone,
              p.filesTotal,
              `files · ${p.chunks} chunks · ${p.failed} errors · ${(p.filesDone / seconds).toFixed(1)} files/s ${p.current ? displayPath(p.current) : ''}`,
            );
          },
        });
        bar.done();
        await embedder?.close?.();
        if (global.json) printJson(report);
        else printReport(report);
        if (report.failed > 0) context.exitCode = EXIT.partial;
      });
    });
}

function printReport(r: IngestReport): void {
  for (const e of r.errors) process.stderr.write(`✗ ${e.message}\n`);
  for (const w of r.warnings) {
    // Loader warnings usually name the file already.
    const named = w.message.includes(w.source) ? w.message.replaceAll(w.source, displayPath(w.source)) : `${displayPath(w.source)}: ${w.message}`;
    process.stderr.write(`! ${named}\n`);
  }
  const parts = [
    `${r.added} added`,
    `${r.updated} updated`,
    `${r.unchanged} unchanged`,
    ...(r.pruned ? [`${r.pruned} pruned`] : []),
    `${r.failed} failed`,
  ];
  process.stdout.write(
    `Ingested into "${r.collection}": ${parts.join(', ')} — ${r.chunks} chunks from ${formatBytes(r.bytes)} in ${(r.durationMs / 1000).toFixed(1)} s\n`,
  );
  if (r.embedding) {
    const e = r.embedding;
    process.stdout.write(
      `Embedded with ${e.embedder}: ${e.embedded} new, ${e.cached} from cache${e.skipped ? `, ${e.skipped} left to keyword search (a language the model does not know)` : ''}\n`,
    );
  }
  if (r.flagged) process.stdout.write(`Guard: ${r.flagged} chunk(s) flagged as instructions to a model or hidden text (metadata.guard); see the warnings above.\n`);
  if (r.failed > 0) process.stdout.write(`${r.failed} file(s) could not be ingested; see the messages above.\n`);
}
