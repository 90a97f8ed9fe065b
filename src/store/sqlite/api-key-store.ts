import type Database from 'better-sqlite3';
import { createHash, randomBytes } from 'node:crypto';
import type { ApiKeyInfo, ApiKeyStore } from '../../spec/api-keys.js';
import { LoreError } from '../../spec/errors.js';

interface KeyRow {
  id: string;
  name: string | null;
  collections: string;
  read_only: number;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** Keys look like `lore_<43 characters>`: 256 random bits, recognisable in a config file or a leak scanner. */
const KEY_PREFIX = 'lore_';

/** The stored form of a key. A salted slow hash is for guessable passwords; a 256-bit random key is not one. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

function toInfo(row: KeyRow): ApiKeyInfo {
  return {
    id: row.id,
    name: row.name,
    collections: JSON.parse(row.collections) as string[],
    readOnly: row.read_only === 1,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

/** Recording every use would be a write per request; once a minute per key is enough to tell a live key. */
const TOUCH_INTERVAL_MS = 60_000;

/** API keys in a Lore SQLite file (schema v4), sharing the store's connection (synchronous work, async methods). */
export function createSqliteApiKeyStore(db: Database.Database): ApiKeyStore {
  const byHash = db.prepare<[string], KeyRow>('SELECT * FROM api_keys WHERE hash = ? AND revoked_at IS NULL');
  const touch = db.prepare<[string, string]>('UPDATE api_keys SET last_used_at = ? WHERE id = ?');
  const touched = new Map<string, number>();
  return {
    async createKey(options) {
      const collections = [...new Set(options.collections.map((c) => c.trim()).filter(Boolean))];
      if (collections.length === 0) {
        throw new LoreError({ code: 'INVALID_ARGUMENT', message: 'A key needs at least one collection', hint: 'e.g. --collections docs,notes (or "*" for all)' });
      }
      const key = KEY_PREFIX + randomBytes(32).toString('base64url');
      const id = randomBytes(6).toString('hex');
      const at = new Date().toISOString();
      db.prepare('INSERT INTO api_keys (id, hash, name, collections, read_only, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(
        id,
        hashApiKey(key),
        options.name ?? null,
        JSON.stringify(collections),
        options.readOnly ? 1 : 0,
        at,
      );
      return { key, info: toInfo(db.prepare<[string], KeyRow>('SELECT * FROM api_keys WHERE id = ?').get(id)!) };
    },
    async verifyKey(key) {
      if (!key.startsWith(KEY_PREFIX)) return undefined;
      const row = byHash.get(hashApiKey(key));
      if (!row) return undefined;
      const now = Date.now();
      if (now - (touched.get(row.id) ?? 0) > TOUCH_INTERVAL_MS) {
        touched.set(row.id, now);
        // A read-only connection (or a busy writer) must not turn a valid key into a failed request.
        try {
          touch.run(new Date(now).toISOString(), row.id);
        } catch {
          /* last-used is informational */
        }
      }
      return toInfo(row);
    },
    listKeys: async () => db.prepare<[], KeyRow>('SELECT * FROM api_keys ORDER BY created_at, id').all().map(toInfo),
    revokeKey: async (id) => db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(new Date().toISOString(), id).changes > 0,
  };
}
