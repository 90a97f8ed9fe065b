import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { LoreError } from '../spec/errors.js';

export interface WalkOptions {
  paths: string[];
  /** Globs a file must match (relative to the walked root, picomatch syntax). Empty means all. */
  include?: string[];
  /** Globs that exclude files or folders. */
  exclude?: string[];
  /** Honour .gitignore files (default true). */
  gitignore?: boolean;
}

export type WalkEntry = { path: string; root: string } | { error: LoreError; path: string };

// Folders no one wants indexed: version control, dependencies, Lore's own database.
const ALWAYS_SKIPPED = new Set(['.git', '.hg', '.svn', 'node_modules', '.lore', '__pycache__', '.venv', '.DS_Store']);

interface IgnoreLayer {
  dir: string;
  rules: Ignore;
}

/**
 * Yields the files under the given paths, in a stable order, skipping what .gitignore files (at any
 * depth) and --exclude say and keeping only --include matches. A path that does not exist yields an
 * error entry; walking goes on with the others.
 */
export async function* walkFiles(options: WalkOptions): AsyncGenerator<WalkEntry> {
  const include = options.include?.length ? picomatch(options.include, { dot: true, basename: false }) : undefined;
  const exclude = options.exclude?.length ? picomatch(options.exclude, { dot: true }) : undefined;
  const excludeBase = options.exclude?.length ? picomatch(options.exclude.filter((g) => !g.includes('/')), { dot: true }) : undefined;
  const useGitignore = options.gitignore ?? true;

  for (const given of options.paths) {
    const root = resolve(given);
    let info;
    try {
      info = await stat(root);
    } catch (cause) {
      yield {
        path: root,
        error: new LoreError({
          code: 'NOT_FOUND',
          message: `${given}: no such file or folder`,
          hint: 'check the path (it is resolved from the current folder)',
          subject: root,
          cause,
        }),
      };
      continue;
    }
    if (info.isFile()) {
      yield { path: root, root };
      continue;
    }
    yield* walkDir({ dir: root, root, layers: [], include, exclude, excludeBase, useGitignore });
  }
}

interface WalkDirOptions {
  dir: string;
  root: string;
  layers: IgnoreLayer[];
  include?: (path: string) => boolean;
  exclude?: (path: string) => boolean;
  excludeBase?: (path: string) => boolean;
  useGitignore: boolean;
}

async function* walkDir(o: WalkDirOptions): AsyncGenerator<WalkEntry> {
  let layers = o.layers;
  if (o.useGitignore) {
    const text = await readFile(join(o.dir, '.gitignore'), 'utf8').catch(() => undefined);
    if (text !== undefined) layers = [...layers, { dir: o.dir, rules: ignore().add(text) }];
  }
  const entries = await readdir(o.dir, { withFileTypes: true }).catch(() => []);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (ALWAYS_SKIPPED.has(entry.name)) continue;
    const full = join(o.dir, entry.name);
    const rel = toPosix(relative(o.root, full));
    const isDir = entry.isDirectory();
    if (!isDir && !entry.isFile()) continue;
    if (layers.some((l) => l.rules.ignores(toPosix(relative(l.dir, full)) + (isDir ? '/' : '')))) continue;
    if (o.exclude?.(rel) || o.excludeBase?.(entry.name)) continue;
    if (isDir) {
      yield* walkDir({ ...o, dir: full, layers });
    } else if (!o.include || o.include(rel) || o.include(entry.name)) {
      yield { path: full, root: o.root };
    }
  }
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}
