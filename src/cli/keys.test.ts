import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from './test-support/run-cli.js';

describe('lore keys', () => {
  let dir: string;
  let db: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lore-keys-cli-'));
    db = join(dir, 'lore.db');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates keys shown once and stored hashed, lists and revokes them; a running server honours revocation', async () => {
    const created = await runCli(['keys', 'create', '--collections', 'docs,notes', '--name', 'ci', '--db', db, '--json']);
    expect(created.code).toBe(0);
    const { key, id, collections, readOnly } = JSON.parse(created.stdout) as { key: string; id: string; collections: string[]; readOnly: boolean };
    expect(key).toMatch(/^lore_[\w-]{43}$/);
    expect(collections).toEqual(['docs', 'notes']);
    expect(readOnly).toBe(false);
    const plain = await runCli(['keys', 'create', '--collections', 'docs', '--read-only', '--db', db]);
    expect(plain.stdout.trim()).toMatch(/^lore_/);
    expect(plain.stderr).toMatch(/read-only/);

    // Only the hash is kept.
    const raw = new Database(db, { readonly: true });
    const rows = raw.prepare('SELECT * FROM api_keys').all() as Array<Record<string, unknown>>;
    raw.close();
    expect(rows.map((r) => r['hash'])).toContain(createHash('sha256').update(key).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(key);
    expect(readFileSync(db).includes(Buffer.from(key))).toBe(false);

    const list = JSON.parse((await runCli(['keys', 'list', '--db', db, '--json'])).stdout) as { keys: Array<Record<string, unknown>> };
    expect(list.keys).toHaveLength(2);
    expect(list.keys[1]).toMatchObject({ readOnly: true, collections: ['docs'], revokedAt: null });
    expect(JSON.stringify(list)).not.toContain('lore_');
    expect((await runCli(['keys', 'list', '--db', db])).stdout).toMatch(/ID\s+COLLECTIONS\s+ACCESS/);

    const server = startCli(['serve', '--db', db, '--port', '0', '--json', '--embedder', 'none', '--require-keys']);
    try {
      const url = await new Promise<string>((resolve) => server.stdout!.once('data', (d: Buffer) => resolve((JSON.parse(String(d)) as { url: string }).url)));
      const get = (k?: string) => fetch(`${url}/api/collections`, { headers: k ? { authorization: `Bearer ${k}` } : {} }).then((r) => r.status);
      expect(await get()).toBe(401);
      expect(await get(key)).toBe(200);
      expect((await runCli(['keys', 'revoke', id, '--db', db])).code).toBe(0);
      expect(await get(key)).toBe(401);
    } finally {
      server.kill('SIGTERM');
      await new Promise((r) => server.on('exit', r));
    }
    const after = JSON.parse((await runCli(['keys', 'list', '--db', db, '--json'])).stdout) as { keys: Array<{ id: string; revokedAt: string | null; lastUsedAt: string | null }> };
    expect(after.keys.find((k) => k.id === id)).toMatchObject({ revokedAt: expect.any(String), lastUsedAt: expect.any(String) });
    expect((await runCli(['keys', 'revoke', id, '--db', db])).code).toBe(3);
    expect((await runCli(['keys', 'create', '--db', db])).code).toBe(2);
  });
});
