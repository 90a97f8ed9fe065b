import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../ingest/ingest.js';
import { resolveLanguageModel } from '../models/resolve-model.js';
import { startScriptedOpenAIServer, type ScriptedOpenAIServer } from '../models/test-support/scripted-openai-server.js';
import { createSqliteSessionStore } from '../store/sqlite/session-store.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { chatTurn } from './chat-turn.js';
import { bufferMemory } from './memory/buffer-memory.js';
import { condenseQuestion } from './memory/condense-question.js';
import { recallMemory } from './memory/recall-memory.js';
import type { SessionTurn } from '../spec/session.js';
import { asAsyncStore } from '../store/contract/async-store.js';

const EXAMPLES = fileURLToPath(new URL('../../examples', import.meta.url));

function turn(id: number, role: 'user' | 'assistant', content: string, tokens = 10): SessionTurn {
  return { id, role, content, standalone: null, citations: [], tokens, createdAt: '' };
}

describe('conversation memory', () => {
  it('keeps the newest whole exchanges within the token budget', () => {
    const turns = [turn(1, 'user', 'a', 100), turn(2, 'assistant', 'b', 100), turn(3, 'user', 'c', 30), turn(4, 'assistant', 'd', 30)];
    const { messages, older } = bufferMemory({ turns, maxTokens: 100 });
    expect(messages.map((m) => m.content)).toEqual(['c', 'd']);
    expect(older.map((t) => t.id)).toEqual([1, 2]);
    // An exchange that does not fit whole is left out whole, never split from its question.
    expect(bufferMemory({ turns, maxTokens: 60 }).messages).toEqual([]);
  });

  it('recalls the older exchange that bears on the new question, in Chinese too', () => {
    const turns = [
      turn(1, 'user', '齿轮油多久更换一次？'),
      turn(2, 'assistant', '每18个月更换一次齿轮油。'),
      turn(3, 'user', '叶片多久检查一次？'),
      turn(4, 'assistant', '每年检查两次。'),
    ];
    const recalled = recallMemory({ turns, question: '你之前说的齿轮油更换周期是多少？', k: 1 });
    expect(recalled[0]?.turnId).toBe(1);
    expect(recallMemory({ turns, question: 'completely unrelated', k: 1 })).toEqual([]);
  });

  it('without a model, appends the topic to follow-ups only', async () => {
    const history = [turn(1, 'user', 'How often should the gearbox oil be replaced?'), turn(2, 'assistant', 'Every 18 months [1].')];
    expect(await condenseQuestion({ question: 'and what does it cost?', history })).toEqual({
      standalone: 'and what does it cost? How often should the gearbox oil be replaced?',
      method: 'lexical',
    });
    expect((await condenseQuestion({ question: 'How often are the blades inspected?', history })).method).toBe('unchanged');
    expect((await condenseQuestion({ question: '它多少钱？', history: [turn(1, 'user', '齿轮油多久更换一次？')] })).method).toBe('lexical');
    expect((await condenseQuestion({ question: 'anything', history: [] })).method).toBe('unchanged');
  });
});

describe('chat turns over a real store and a model on loopback', () => {
  let server: ScriptedOpenAIServer;
  let dir: string;

  beforeAll(async () => {
    // A model that behaves correctly by construction: rewrites the follow-up about "it" into a question about
    // the yaw brake pads, summarises to a fixed text, and answers citing source 1.
    server = await startScriptedOpenAIServer({
      reply: ({ messages }) => {
        const system = messages[0]?.content ?? '';
        const last = messages.at(-1)?.content ?? '';
        if (system.startsWith('Rewrite the last user question')) return /Last question: how much does it cost/i.test(last) ? 'How much does the yaw brake pad set cost?' : last.match(/Last question: (.*)\n/)![1]!;
        if (system.startsWith('You keep a running summary')) return 'SUMMARY: the user asked about the gearbox oil and the blades.';
        return 'Per the sources, see [1].';
      },
    });
    dir = mkdtempSync(join(tmpdir(), 'lore-chat-'));
    const store = new SqliteStore({ path: join(dir, 'lore.db') });
    await ingest({ store: asAsyncStore(store), paths: [EXAMPLES] });
    store.close();
  });
  afterAll(() => server.close());

  it('condenses a follow-up before retrieving, stores both turns, and survives a restart', async () => {
    const store = new SqliteStore({ path: join(dir, 'lore.db') });
    const sessions = createSqliteSessionStore(store.db);
    const model = resolveLanguageModel({ spec: `openai-compatible:${server.baseUrl}#scripted` });
    await chatTurn({ store: asAsyncStore(store), sessions, sessionId: 'pads', question: 'How often should the yaw brake pads be checked?', model, mode: 'keyword' });
    const second = await chatTurn({ store: asAsyncStore(store), sessions, sessionId: 'pads', question: 'how much does it cost?', model, mode: 'keyword' });
    expect(second.condensed).toEqual({ standalone: 'How much does the yaw brake pad set cost?', method: 'model' });
    expect(second.hits[0]!.source).toMatch(/spare-parts\.csv$/);
    // The answer prompt carries the earlier exchange as memory, then the new question.
    const answerRequest = server.requests.at(-1)!;
    expect(answerRequest.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(answerRequest.messages[1]!.content).toBe('How often should the yaw brake pads be checked?');
    store.close();

    const reopened = new SqliteStore({ path: join(dir, 'lore.db') });
    const again = createSqliteSessionStore(reopened.db);
    const turns = await again.turns('pads');
    expect(turns.map((t) => t.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(turns[2]).toMatchObject({ content: 'how much does it cost?', standalone: 'How much does the yaw brake pad set cost?' });
    expect(turns[3]!.citations).toHaveLength(1);
    expect(await again.getSession('pads')).toMatchObject({ title: 'How often should the yaw brake pads be checked?', turnCount: 4 });
    await again.clearSession('pads');
    expect(await again.turns('pads')).toEqual([]);
    reopened.close();
  });

  it('folds turns that leave the buffer into a stored summary sent with later questions', async () => {
    const store = new SqliteStore({ path: join(dir, 'lore.db') });
    const sessions = createSqliteSessionStore(store.db);
    const model = resolveLanguageModel({ spec: `openai-compatible:${server.baseUrl}#scripted` });
    const memory = { bufferTokens: 40 };
    for (const question of ['How often should the gearbox oil be replaced?', 'How often are the blades inspected?', 'How often is the yaw bearing greased?']) {
      await chatTurn({ store: asAsyncStore(store), sessions, sessionId: 'long', question, model, mode: 'keyword', memory, condense: false });
    }
    const session = (await sessions.getSession('long'))!;
    expect(session.summary).toBe('SUMMARY: the user asked about the gearbox oil and the blades.');
    expect(session.summaryThrough).toBeGreaterThan(0);
    const answerRequest = server.requests.at(-1)!;
    expect(answerRequest.messages.some((m) => m.role === 'system' && m.content?.startsWith('Summary of the earlier conversation:\nSUMMARY'))).toBe(true);
    store.close();
  });

  it('answers extractively without a model, condensing lexically', async () => {
    const store = new SqliteStore({ path: join(dir, 'lore.db') });
    const sessions = createSqliteSessionStore(store.db);
    await chatTurn({ store: asAsyncStore(store), sessions, sessionId: 'zh', question: '齿轮油多久更换一次？', mode: 'keyword' });
    const follow = await chatTurn({ store: asAsyncStore(store), sessions, sessionId: 'zh', question: '那它的温度呢？', mode: 'keyword' });
    expect(follow.condensed.method).toBe('lexical');
    expect(follow.answer.mode).toBe('extractive');
    expect(follow.hits[0]!.source).toMatch(/风力发电机维护手册\.md$/);
    store.close();
  });
});
