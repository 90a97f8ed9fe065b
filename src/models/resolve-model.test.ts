import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAIServer, type FakeOpenAIServer } from './test-support/fake-openai-server.js';
import { resolveLanguageModel } from './resolve-model.js';

let server: FakeOpenAIServer;
beforeAll(async () => {
  server = await startFakeOpenAIServer();
});
afterAll(() => server.close());

describe('resolveLanguageModel', () => {
  it('builds an OpenAI-compatible model from URL#model and calls it', async () => {
    const model = resolveLanguageModel({ spec: `openai-compatible:${server.baseUrl}#ok` });
    expect(model.id).toBe(`openai-compatible:${server.baseUrl}#ok`);
    expect((await model.generate({ messages: [{ role: 'user', content: 'hi' }] })).text).toBe('Hello world');
  });

  it('explains what is wrong with a spec', () => {
    expect(() => resolveLanguageModel({ spec: 'openai:gpt-4o-mini' })).toThrow(/OPENAI_API_KEY/);
    expect(() => resolveLanguageModel({ spec: 'openai-compatible:http://x/v1' })).toThrow(/URL#model/);
    expect(() => resolveLanguageModel({ spec: 'ollama:' })).toThrow(/name the model/);
    expect(() => resolveLanguageModel({ spec: 'gguf:./m.gguf' })).toThrow(/No model file at \.\/m\.gguf/);
    expect(() => resolveLanguageModel({ spec: 'anthropic:claude-sonnet-4-5' })).toThrow(/ANTHROPIC_API_KEY/);
    expect(resolveLanguageModel({ spec: 'anthropic:claude-sonnet-4-5', apiKeys: { anthropic: 'k' } }).id).toBe('anthropic:claude-sonnet-4-5');
    expect(resolveLanguageModel({ spec: 'ollama:qwen2.5:7b' }).id).toBe('openai-compatible:http://127.0.0.1:11434/v1#qwen2.5:7b');
  });
});
