import { constants } from 'node:fs';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import { LoreError } from '../../spec/errors.js';
import type { Tool } from '../../spec/tool.js';
import { defineTool } from '../define-tool.js';

export interface FileReadToolOptions {
  /** The folders the tool may read under; relative paths from the model resolve against the first. */
  roots: readonly string[];
  /** Bytes read from one file at most (default 256 kB); a longer file is read up to here, and says so. */
  maxBytes?: number;
  /** Entries listed for a folder at most (default 200). */
  maxEntries?: number;
}

function outside(path: string): LoreError {
  return new LoreError({ code: 'INVALID_ARGUMENT', message: `Refused: ${path} is outside the folders this tool may read`, subject: path });
}

function within(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * Reads text files (and lists folders) under the allowed folders only. Paths are checked after every
 * symbolic link is resolved (realpath), so a link inside a folder pointing outside it is refused; the
 * file is then opened without following links and checked to be the same file that was resolved, so a
 * link swapped in between the check and the open does not get through either.
 */
export function createFileReadTool(options: FileReadToolOptions): Tool {
  if (options.roots.length === 0) throw new LoreError({ code: 'INVALID_ARGUMENT', message: 'The file tool needs at least one folder it may read' });
  const maxBytes = options.maxBytes ?? 256_000;
  const maxEntries = options.maxEntries ?? 200;
  let roots: Promise<string[]> | undefined;
  const realRoots = () => (roots ??= Promise.all(options.roots.map((r) => realpath(resolve(r)))));
  const parameters = z.object({
    path: z.string().min(1).max(4096).describe('A file or folder path, relative to the first allowed folder or absolute'),
    offset: z.number().int().min(0).optional().describe('Start at this character (to read on after a cut)'),
  });
  return defineTool({
    name: 'read_file',
    description: `Reads a text file, or lists a folder, under the allowed folders (${options.roots.map((r) => resolve(r)).join(', ')}). Up to ${Math.round(maxBytes / 1000)} kB per file.`,
    parameters,
    risk: 'read',
    execute: async ({ path, offset }) => {
      if (path.includes('\0')) throw outside(path);
      const allowed = await realRoots();
      const candidate = isAbsolute(path) ? resolve(path) : resolve(allowed[0]!, path);
      // A lexical check first, so a path outside is refused without even learning whether it exists.
      if (!allowed.some((root) => within(root, candidate)) && !options.roots.some((r) => within(resolve(r), candidate))) throw outside(path);
      let real: string;
      try {
        real = await realpath(candidate);
      } catch {
        throw new LoreError({ code: 'NOT_FOUND', message: `No such file or folder: ${path}`, subject: path });
      }
      if (!allowed.some((root) => within(root, real))) throw outside(path);
      const root = allowed.find((r) => within(r, real))!;
      const shown = relative(root, real) || '.';

      const info = await stat(real);
      if (info.isDirectory()) {
        const entries = await readdir(real, { withFileTypes: true });
        entries.sort((a, b) => a.name.localeCompare(b.name));
        const lines = entries.slice(0, maxEntries).map((e) => (e.isDirectory() ? `${e.name}/` : e.name));
        if (entries.length > maxEntries) lines.push(`… and ${entries.length - maxEntries} more`);
        return { content: `Folder ${shown} (${entries.length} entries):\n${lines.join('\n')}`, data: { path: real, entries: entries.length } };
      }
      if (!info.isFile()) throw new LoreError({ code: 'INVALID_ARGUMENT', message: `${path} is not a regular file` });

      const handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW);
      try {
        const opened = await handle.stat();
        if (opened.ino !== info.ino || opened.dev !== info.dev) throw outside(path);
        const length = Math.min(opened.size, maxBytes);
        const buffer = Buffer.alloc(length);
        let read = 0;
        while (read < length) {
          const { bytesRead } = await handle.read(buffer, read, length - read, read);
          if (bytesRead === 0) break;
          read += bytesRead;
        }
        const bytes = buffer.subarray(0, read);
        if (bytes.subarray(0, 8000).includes(0)) throw new LoreError({ code: 'BINARY_FILE', message: `${path} is a binary file; only text can be read` });
        const text = new TextDecoder('utf-8').decode(bytes);
        const from = Math.min(offset ?? 0, text.length);
        const cut = opened.size > maxBytes ? `\n… [cut: the file has ${opened.size} bytes; only the first ${maxBytes} were read]` : '';
        return { content: `File ${shown} (${opened.size} bytes):\n${text.slice(from)}${cut}`, data: { path: real, bytes: opened.size, truncated: opened.size > maxBytes } };
      } finally {
        await handle.close();
      }
    },
  });
}
