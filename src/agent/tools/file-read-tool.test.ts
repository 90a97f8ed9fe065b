import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ToolOutput } from '../../spec/tool.js';
import { createFileReadTool } from './file-read-tool.js';

const base = mkdtempSync(join(tmpdir(), 'lore-files-'));
const root = join(base, 'allowed');
const outside = join(base, 'outside');
mkdirSync(join(root, 'docs'), { recursive: true });
mkdirSync(outside);
writeFileSync(join(root, 'docs', 'notes.md'), '# Notes\nThe gearbox oil is changed every 18 months.\n');
writeFileSync(join(root, 'big.txt'), 'y'.repeat(5000));
writeFileSync(join(root, 'image.bin'), Buffer.from([1, 2, 0, 3]));
writeFileSync(join(outside, 'secret.txt'), 'SECRET');
// Links inside the allowed folder that point out of it, to a file and to a folder, and one that stays inside.
symlinkSync(join(outside, 'secret.txt'), join(root, 'link-to-secret.txt'));
symlinkSync(outside, join(root, 'link-to-outside'));
symlinkSync(join(root, 'docs', 'notes.md'), join(root, 'inner-link.md'));

afterAll(() => rmSync(base, { recursive: true, force: true }));

const tool = createFileReadTool({ roots: [root], maxBytes: 1000 });
const context = { signal: new AbortController().signal, callId: 'c' };
const read = (path: string) => tool.execute({ path }, context);
const text = (out: ToolOutput) => (typeof out === 'string' ? out : out.content);

describe('the file read tool', () => {
  it('reads text files and lists folders under the allowed folder', async () => {
    expect(text(await read('docs/notes.md'))).toMatch(/^File docs\/notes\.md \(\d+ bytes\):\n# Notes\nThe gearbox oil/);
    expect(text(await read(join(root, 'docs', 'notes.md')))).toMatch(/gearbox oil/);
    expect(text(await read('inner-link.md'))).toMatch(/gearbox oil/);
    expect(text(await read('.'))).toMatch(/Folder \. \(\d+ entries\):[\s\S]*docs\/[\s\S]*notes|docs\//);
    expect(tool.risk).toBe('read');
  });

  it('refuses paths outside, including through symbolic links', async () => {
    for (const path of ['../outside/secret.txt', join(outside, 'secret.txt'), '/etc/passwd', 'link-to-secret.txt', 'link-to-outside/secret.txt', 'link-to-outside', 'docs/../../outside/secret.txt']) {
      await expect(read(path), path).rejects.toThrow(/outside the folders this tool may read/);
    }
  });

  it('caps size, refuses binary files and reports missing ones', async () => {
    const big = text(await read('big.txt'));
    expect(big).toMatch(/cut: the file has 5000 bytes; only the first 1000 were read/);
    expect(big.match(/y+/g)!.sort((a, b) => b.length - a.length)[0]).toHaveLength(1000);
    await expect(read('image.bin')).rejects.toThrow(/binary/);
    await expect(read('docs/none.md')).rejects.toThrow(/No such file/);
  });
});
