import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../../ingest/ingest.js';
import { createUseLiteEmbedder, type UseLiteEmbedder } from '../../models/embedders/index.js';
import { resolveLanguageModel } from '../../models/resolve-model.js';
import { startScriptedOpenAIServer, type ScriptedOpenAIServer } from '../../models/test-support/scripted-openai-server.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { collectionCentroid, routeQuestion, routesFromCollections, type Route } from './index.js';
import { asAsyncStore } from '../../store/contract/async-store.js';

const EXAMPLES = fileURLToPath(new URL('../../../examples', import.meta.url));

const ROUTES: Route[] = [
  { name: 'manuals', description: 'Maintenance procedures for wind turbines: gearbox oil, blade inspection, the yaw system.', keywords: ['gearbox', 'blade', 'yaw', 'maintenance', '齿轮', '叶片'] },
  { name: 'parts', description: 'Spare parts catalogue: part numbers and prices in euros.', keywords: ['price', 'cost', 'part number', '价格'], patterns: ['\\b[A-Z]{2,4}-[A-Z0-9-]+\\b'] },
  { name: 'sql', description: 'Turbine production database: energy produced per turbine and per day, in kWh.', keywords: ['kwh', 'production', '发电量'] },
  { name: 'none', patterns: ['^\\s*(hi|hello|thanks)\\b', '^\\s*(你好|谢谢)'] },
];

describe('routing a question', () => {
  let server: ScriptedOpenAIServer;
  let embedder: UseLiteEmbedder;

  beforeAll(async () => {
    server = await startScriptedOpenAIServer({
      reply: ({ messages }) => {
        const question = /Question: (.*)$/m.exec(messages.at(-1)?.content ?? '')?.[1] ?? '';
        if (/price|价格/i.test(question)) return JSON.stringify({ route: 'parts', reason: 'asks for a price', confidence: 'high' });
        if (/kWh/.test(question)) return JSON.stringify({ route: 'sql', reason: 'production figures live in the database', confidence: 'medium' });
        return JSON.stringify({ route: 'finance', reason: 'made up', confidence: 'high' }); // not a route: fails the schema
      },
    });
    embedder = createUseLiteEmbedder({ workers: 0 });
  });
  afterAll(async () => {
    await embedder.close();
    await server.close();
  });

  it('by rules: stemmed keywords, Chinese words, patterns; ties and misses say so', async () => {
    expect(await routeQuestion({ question: 'How often are the blades inspected?', routes: ROUTES, method: 'rules' })).toMatchObject({
      route: 'manuals',
      kind: 'collection',
      confidence: 1,
      method: 'rules',
      reason: 'matched "blade"',
    });
    const byPattern = await routeQuestion({ question: 'What does YAW-PAD cost?', routes: ROUTES, method: 'rules' });
    expect(byPattern).toMatchObject({ route: 'parts', confidence: 2 / 3 }); // "cost" and the part pattern, against "yaw"
    expect(await routeQuestion({ question: '齿轮油的价格是多少？', routes: ROUTES, method: 'rules' })).toMatchObject({ route: 'manuals', confidence: 0.5 });
    expect(await routeQuestion({ question: '谢谢！', routes: ROUTES, method: 'rules' })).toMatchObject({ route: 'none', kind: 'none' });
    expect(await routeQuestion({ question: 'Why is the sky blue?', routes: ROUTES, method: 'rules' })).toMatchObject({ route: 'none', confidence: 0, reason: 'no rule matched' });
    await expect(routeQuestion({ question: 'x', routes: [{ name: 'a', patterns: ['('] }], method: 'rules' })).rejects.toThrow(/invalid pattern/);
  });

  it('by embedding: similarity to descriptions, examples and a collection centroid', async () => {
    const parts = await routeQuestion({ question: 'How much do the spare parts cost in euros?', routes: ROUTES, method: 'embedding', embedder });
    expect(parts).toMatchObject({ route: 'parts', method: 'embedding' });
    expect(parts.confidence).toBeGreaterThan(0.3);
    expect(Object.keys(parts.scores!).sort()).toEqual(['manuals', 'none', 'parts', 'sql']);
    const production = await routeQuestion({ question: 'How many kilowatt hours did turbine 7 produce yesterday?', routes: ROUTES, method: 'embedding', embedder });
    expect(production.route).toBe('sql');
    // A threshold turns a weak best match into the fallback.
    expect(await routeQuestion({ question: 'How much do the spare parts cost in euros?', routes: ROUTES, method: 'embedding', embedder, minSimilarity: 0.99 })).toMatchObject({ route: 'none', confidence: 0 });
    // A Chinese question: the English-only embedder steps aside for the rules.
    const zh = await routeQuestion({ question: '叶片多久检查一次？', routes: ROUTES, method: 'embedding', embedder });
    expect(zh).toMatchObject({ route: 'manuals', method: 'rules' });
    expect(zh.reason).toMatch(/does not represent the question's language/);

    // Collections routed by what they hold: the centroid of their stored vectors, no description written.
    const store = new SqliteStore({ path: join(mkdtempSync(join(tmpdir(), 'lore-route-')), 'lore.db') });
    await ingest({ store: asAsyncStore(store), paths: [EXAMPLES], collection: 'turbines', embedder });
    store.ensureCollection('recipes', { description: 'Cooking recipes: pasta, bread, cakes and soups, with baking times and oven temperatures.' });
    const centroid = await collectionCentroid({ store: asAsyncStore(store), collection: 'turbines', embedder: embedder.id });
    const routes = (await routesFromCollections({ store: asAsyncStore(store), none: true })).map((r) => (r.name === 'turbines' ? { ...r, centroid } : r));
    expect(routes.map((r) => r.name)).toEqual(['recipes', 'turbines', 'none']);
    expect(routes[1]!.centroid).toBeInstanceOf(Float32Array);
    expect((await routeQuestion({ question: 'What should I check when the turbine gearbox gets hot?', routes, method: 'embedding', embedder })).route).toBe('turbines');
    expect((await routeQuestion({ question: 'How long should sourdough bread bake?', routes, method: 'embedding', embedder })).route).toBe('recipes');
    expect((await routeQuestion({ question: 'hello', routes, method: 'rules' })).route).toBe('none');
    store.close();
  });

  it('by model: a route from the list with its reason; an invented route falls back', async () => {
    const model = resolveLanguageModel({ spec: `openai-compatible:${server.baseUrl}#scripted` });
    expect(await routeQuestion({ question: 'What is the price of the yaw brake pads?', routes: ROUTES, method: 'model', model })).toMatchObject({
      route: 'parts',
      kind: 'collection',
      confidence: 0.9,
      method: 'model',
      reason: 'asks for a price',
    });
    expect(await routeQuestion({ question: '上个月T3的发电量是多少kWh？', routes: ROUTES, method: 'model', model })).toMatchObject({ route: 'sql', kind: 'sql', confidence: 0.6 });
    // The route names are an enum in the schema sent to the model.
    expect(JSON.stringify(server.requests.at(-1)!.body['response_format'])).toContain('"enum":["manuals","parts","sql","none"]');
    const invented = await routeQuestion({ question: 'Tell me about taxes', routes: ROUTES, method: 'model', model, fallback: 'manuals' });
    expect(invented).toMatchObject({ route: 'manuals', confidence: 0, method: 'model' });
    expect(invented.reason).toMatch(/named no valid route/);
  });
});
