import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoreError } from '../../spec/errors.js';
import { analyze } from '../../text/analyze.js';
import { asAsyncStore } from '../contract/async-store.js';
import { runStoreContract, unit } from '../contract/store-contract.js';
import { SqliteStore } from '../sqlite/sqlite-store.js';
import { POSTGRES_SCHEMA_VERSION } from './postgres-migrations.js';
import { openPostgresStore, vectorSearchSql, type PostgresStore } from './postgres-store.js';
import { startPgliteVectorServer, type PgliteVectorServer } from './test-support/pglite-vector-server.js';

let server: PgliteVectorServer;
let schemas = 0;

beforeAll(async () => {
  server = await startPgliteVectorServer();
});

afterAll(async () => {
  await server?.close();
});

/** A store in a schema of its own: every test starts empty on the one PGlite. */
function freshStore(options: { schema?: string } = {}): Promise<PostgresStore> {
  return openPostgresStore({ url: server.url, schema: options.schema ?? `lore_t${++schemas}`, poolSize: 1 });
}

runStoreContract('PostgresStore (pgvector, PGlite over the wire protocol)', () => freshStore());

describe('PostgresStore', () => {
  it('records its schema version in lore_meta, reopens, and refuses a newer schema or a foreign one', async () => {
    const store = await freshStore({ schema: 'lore_meta_test' });
    expect((await store.stats()).schemaVersion).toBe(POSTGRES_SCHEMA_VERSION);
    await store.ensureCollection('kept');
    await store.close();
    const again = await freshStore({ schema: 'lore_meta_test' });
    expect(await again.getCollection('kept')).toMatchObject({ name: 'kept' });
    expect(again.path).toBe(server.url);
    await again.pool.query("UPDATE lore_meta SET value = '999' WHERE key = 'schema_version'");
    await again.close();
    await expect(freshStore({ schema: 'lore_meta_test' })).rejects.toThrow(/newer Lore/);

    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    await client.query('CREATE SCHEMA other_app; CREATE TABLE other_app.documents (id int)');
    await client.end();
    await expect(freshStore({ schema: 'other_app' })).rejects.toSatisfy((e) => isLoreError(e, 'NOT_A_LORE_DATABASE'));
    await expect(freshStore({ schema: 'Bad-Name' })).rejects.toSatisfy((e) => isLoreError(e, 'INVALID_ARGUMENT'));
  });

  it('creates one HNSW cosine index per collection and embedder once vectors exist, used by the planner, dropped with the collection', async () => {
    const store = await freshStore();
    await store.ensureCollection('c');
    const texts = Array.from({ length: 40 }, (_, i) => `passage ${i}`);
    await store.putDocument({ collection: 'c', source: '/a.txt', mimeType: 'text/plain', type: 'text', contentHash: 'a', bytes: 1, metadata: {}, chunks: texts.map((t, i) => ({ ordinal: i, text: t, start: 0, end: t.length, headingPath: [], tokenCount: 2, metadata: {}, contentHash: `h${i}`, keywordText: analyze(t).join(' '), termCount: 2 })) });
    const indexes = async () => (await store.pool.query<{ indexdef: string }>("SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexdef LIKE '%hnsw%'", [store.schema])).rows;
    expect(await indexes()).toEqual([]);
    const pending = await store.pendingChunks({ collection: 'c', embedder: 'mini', limit: 100 });
    await store.putVectors({ collection: 'c', embedder: 'mini', entries: pending.map((p, i) => ({ chunkId: p.chunkId, contentHash: p.contentHash, vector: unit([Math.cos(i / 7), Math.sin(i / 7), (i % 5) / 10]) })) });
    await store.putVectors({ collection: 'c', embedder: 'mini', entries: pending.slice(0, 3).map((p, i) => ({ chunkId: p.chunkId, contentHash: p.contentHash, vector: unit([Math.cos(i / 7), Math.sin(i / 7), (i % 5) / 10]) })) });
    const made = await indexes();
    expect(made).toHaveLength(1);
    expect(made[0]!.indexdef).toMatch(/USING hnsw \(\(\(?vector\)?::vector\(3\)\) vector_cosine_ops\) WITH \(m='?16'?, ef_construction='?64'?\) WHERE/);
    // With sequential scans off, the planner must be able to answer from the partial HNSW index.
    const client = await store.pool.connect();
    try {
      const id = (await client.query<{ id: number }>("SELECT id FROM collections WHERE name = 'c'")).rows[0]!.id;
      await client.query('BEGIN');
      await client.query('SET LOCAL enable_seqscan = off');
      // The very query vectorSearch sends, with and without a filter that joins documents.
      const explain = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${vectorSearchSql(id, 'mini', 3)}`, ['[1,0,0]', 5]);
      const filtered = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${vectorSearchSql(id, 'mini', 3, 'AND d.type = $3')}`, ['[1,0,0]', 5, 'text']);
      await client.query('COMMIT');
      expect(explain.rows.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/Index Scan using chunk_vectors_hnsw_c\d+_d3_/);
      expect(filtered.rows.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/Index Scan using chunk_vectors_hnsw_c\d+_d3_/);
    } finally {
      client.release();
    }
    const hits = await store.vectorSearch({ vector: unit([1, 0, 0]), embedder: 'mini', k: 5 });
    expect(hits).toHaveLength(5);
    expect(hits[0]!.text).toBe('passage 0');
    expect(hits.map((h) => h.score)).toEqual([...hits.map((h) => h.score)].sort((a, b) => b - a));
    await store.deleteCollection('c');
    expect(await indexes()).toEqual([]);
    await store.close();
  });

  it('answers through the HNSW index with high recall, and fills k under a selective filter (iterative scan)', async () => {
    const store = await freshStore();
    await store.ensureCollection('big');
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
    const n = 1200;
    const dims = 16;
    const vectors = Array.from({ length: n }, () => unit(Array.from({ length: dims }, random)));
    const chunkOf = (i: number) => ({ ordinal: i, text: `v${i}`, start: 0, end: 1, headingPath: [], tokenCount: 1, metadata: { tenth: i % 10 === 0 }, contentHash: `v${i}`, keywordText: `v${i}`, termCount: 1 });
    await store.putDocument({ collection: 'big', source: '/v.txt', mimeType: 'text/plain', type: 'text', contentHash: 'v', bytes: 1, metadata: {}, chunks: vectors.map((_, i) => chunkOf(i)) });
    const pending = await store.pendingChunks({ collection: 'big', embedder: 'rand', limit: n });
    await store.putVectors({ collection: 'big', embedder: 'rand', entries: pending.map((p, i) => ({ chunkId: p.chunkId, contentHash: p.contentHash, vector: vectors[i]! })) });
    // The one PGlite session: with sequential scans off, every search below walks the HNSW graph.
    await store.pool.query('SET enable_seqscan = off');
    const exact = (q: Float32Array, keep: (i: number) => boolean) =>
      vectors
        .map((v, i) => ({ i, s: v.reduce((sum, x, j) => sum + x * q[j]!, 0) }))
        .filter((x) => keep(x.i))
        .sort((a, b) => b.s - a.s)
        .slice(0, 10)
        .map((x) => `v${x.i}`);
    let found = 0;
    let filteredFound = 0;
    const queries = 20;
    for (let qi = 0; qi < queries; qi++) {
      const q = unit(Array.from({ length: dims }, random));
      const hits = await store.vectorSearch({ vector: q, embedder: 'rand', k: 10 });
      expect(hits).toHaveLength(10);
      const truth = new Set(exact(q, () => true));
      found += hits.filter((h) => truth.has(h.text)).length;
      const filtered = await store.vectorSearch({ vector: q, embedder: 'rand', k: 10, filter: { metadata: { tenth: true } } });
      expect(filtered).toHaveLength(10);
      expect(filtered.every((h) => h.metadata.tenth === true)).toBe(true);
      const filteredTruth = new Set(exact(q, (i) => i % 10 === 0));
      filteredFound += filtered.filter((h) => filteredTruth.has(h.text)).length;
    }
    await store.pool.query('RESET enable_seqscan');
    expect(found / (queries * 10)).toBeGreaterThanOrEqual(0.9);
    expect(filteredFound / (queries * 10)).toBeGreaterThanOrEqual(0.9);
    await store.close();
  });

  it('ranks keyword searches exactly as SqliteStore does', async () => {
    const texts = [
      'The gearbox oil must be replaced every 18 months.',
      'Gearbox temperature rises when the oil filter clogs; replace the filter.',
      'Blades erode in sand storms and need leading-edge protection.',
      '风力发电机的齿轮箱需要定期更换润滑油。',
      '齿轮箱温度过高时，检查润滑油过滤器。',
      'Yaw bearings need grease; the yaw motor brake wears.',
    ];
    const input = (collection: string) => ({
      collection,
      source: '/manual.md',
      mimeType: 'text/markdown',
      type: 'markdown',
      contentHash: 'm',
      bytes: 1,
      metadata: {},
      chunks: texts.map((t, i) => {
        const terms = analyze(t);
        return { ordinal: i, text: t, start: 0, end: t.length, headingPath: [], tokenCount: terms.length, metadata: {}, contentHash: `h${i}`, keywordText: terms.join(' '), termCount: terms.length };
      }),
    });
    const pgStore = await freshStore();
    const sqlite = asAsyncStore(new SqliteStore({ path: ':memory:' }));
    for (const store of [pgStore, sqlite]) {
      await store.ensureCollection('m');
      await store.putDocument(input('m'));
    }
    for (const q of ['gearbox oil filter', 'replace the oil', '齿轮箱 润滑油', 'yaw brake grease', 'sand']) {
      const [a, b] = await Promise.all([pgStore.keywordSearch({ terms: analyze(q), k: 10 }), sqlite.keywordSearch({ terms: analyze(q), k: 10 })]);
      expect(a.map((h) => h.text), q).toEqual(b.map((h) => h.text));
      a.forEach((h, i) => expect(h.score, q).toBeCloseTo(b[i]!.score, 9));
    }
    await sqlite.close();
    await pgStore.close();
  });
});
