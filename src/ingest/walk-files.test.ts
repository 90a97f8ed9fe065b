import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { walkFiles, type WalkOptions } from './walk-files.js';

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'lore-walk-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

async function list(root: string, options: Partial<WalkOptions> = {}): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of walkFiles({ paths: [root], ...options })) {
    out.push('error' in entry ? `ERROR ${entry.error.code}` : relative(root, entry.path));
  }
  return out;
}

describe('walkFiles', () => {
  const root = tree({
    '.gitignore': 'build/\n*.log\n',
    'a.md': '#',
    'b.log': 'x',
    'build/out.txt': 'x',
    'docs/guide.md': 'x',
    'docs/.gitignore': 'secret.txt\n',
    'docs/secret.txt': 'x',
    'docs/drafts/wip.md': 'x',
    'docs/中文/说明.txt': 'x',
    'node_modules/pkg/readme.md': 'x',
    '.git/config': 'x',
  });

  it('honours .gitignore at every depth and skips VCS and dependency folders, in a stable order', async () => {
    expect(await list(root)).toEqual(['.gitignore', 'a.md', 'docs/.gitignore', 'docs/drafts/wip.md', 'docs/guide.md', 'docs/中文/说明.txt']);
  });

  it('can ignore .gitignore', async () => {
    const all = await list(root, { gitignore: false });
    expect(all).toContain('b.log');
    expect(all).toContain('build/out.txt');
    expect(all).toContain('docs/secret.txt');
    expect(all).not.toContain('node_modules/pkg/readme.md');
  });

  it('applies --include and --exclude globs', async () => {
    expect(await list(root, { include: ['*.md'] })).toEqual(['a.md', 'docs/drafts/wip.md', 'docs/guide.md']);
    expect(await list(root, { include: ['**/*.md'], exclude: ['docs/drafts/**'] })).toEqual(['a.md', 'docs/guide.md']);
    expect(await list(root, { exclude: ['drafts', '*.txt', '.gitignore'] })).toEqual(['a.md', 'docs/guide.md']);
  });

  it('yields an error entry for a missing path and goes on', async () => {
    const out: string[] = [];
    for await (const e of walkFiles({ paths: [join(root, 'nope'), join(root, 'a.md')] })) out.push('error' in e ? e.error.code : relative(root, e.path));
    expect(out).toEqual(['NOT_FOUND', 'a.md']);
  });
});
