import { describe, expect, it } from 'vitest';
import { isLoreError } from '../spec/errors.js';
import { displayRedisUrl, parseRedisUrl } from './redis-connection.js';

describe('parseRedisUrl', () => {
  it('reads host, port, credentials, database and TLS', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6390')).toEqual({ host: '127.0.0.1', port: 6390 });
    expect(parseRedisUrl('redis://queue.internal')).toEqual({ host: 'queue.internal', port: 6379 });
    expect(parseRedisUrl('rediss://lore:p%40ss@queue.internal:6380/2')).toEqual({
      host: 'queue.internal',
      port: 6380,
      username: 'lore',
      password: 'p@ss',
      db: 2,
      tls: { servername: 'queue.internal' },
    });
    expect(parseRedisUrl('redis://:secret@[::1]:7000')).toMatchObject({ host: '::1', port: 7000, password: 'secret' });
  });

  it('refuses what is not a Redis URL, with the form it expects', () => {
    for (const bad of ['127.0.0.1:6379', 'http://127.0.0.1:6379', 'redis://host/db1', '']) {
      let error: unknown;
      try {
        parseRedisUrl(bad);
      } catch (e) {
        error = e;
      }
      expect(isLoreError(error, 'INVALID_ARGUMENT'), bad).toBe(true);
      expect((error as Error).message).toContain('redis://host:6379/0');
    }
  });

  it('never prints the password', () => {
    expect(displayRedisUrl('redis://lore:hunter2@queue:6379/1')).toBe('redis://lore:***@queue:6379/1');
    expect(displayRedisUrl('redis://queue:6379')).toBe('redis://queue:6379');
  });
});
