import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAIServer, type FakeOpenAIServer } from './test-support/fake-openai-server.js';
import { probeLocalServers } from './probe-local-servers.js';

let server: FakeOpenAIServer;
beforeAll(async () => {
  server = await startFakeOpenAIServer();
});
afterAll(() => server.close());

describe('probeLocalServers', () => {
  it('lists the models of servers that answer and skips closed ports quickly', async () => {
    const port = Number(new URL(server.baseUrl).port);
    const started = Date.now();
    const found = await probeLocalServers({
      servers: [
        { name: 'Fake vLLM', port, specPrefix: (m, url) => `openai-compatible:${url}#${m}` },
        { name: 'Nothing here', port: 9, specPrefix: (m) => m },
      ],
    });
    expect(found).toEqual([{ name: 'Fake vLLM', baseUrl: server.baseUrl, models: [`openai-compatible:${server.baseUrl}#ok`, `openai-compatible:${server.baseUrl}#tools`] }]);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
