import { describe, expect, it } from 'vitest';
import type { GenerateEvent, LanguageModel } from '../../spec/models.js';
import { collectStream } from '../providers/openai-compatible.js';
import { withConcurrency } from './with-concurrency.js';

/** A model whose calls take 30 ms and that records how many run at once. */
function countingModel() {
  let active = 0;
  const stats = { peak: 0, calls: 0 };
  async function* stream(): AsyncGenerator<GenerateEvent> {
    active++;
    stats.calls++;
    stats.peak = Math.max(stats.peak, active);
    await new Promise((r) => setTimeout(r, 30));
    active--;
    yield { type: 'text', delta: 'ok' };
    yield { type: 'finish', reason: 'stop' };
  }
  const model: LanguageModel = { id: 'counting', stream, generate: () => collectStream(stream(), 'counting') };
  return { model, stats };
}

describe('withConcurrency', () => {
  it('never runs more than the limit at once, and runs them all', async () => {
    const { model, stats } = countingModel();
    const limited = withConcurrency(model, { limit: 2 });
    const results = await Promise.all(Array.from({ length: 7 }, () => limited.generate({ messages: [] })));
    expect(results.every((r) => r.text === 'ok')).toBe(true);
    expect(stats.calls).toBe(7);
    expect(stats.peak).toBe(2);
  });

  it('lets a waiting call be cancelled', async () => {
    const { model } = countingModel();
    const limited = withConcurrency(model, { limit: 1 });
    const first = limited.generate({ messages: [] });
    const controller = new AbortController();
    const second = limited.generate({ messages: [], signal: controller.signal });
    controller.abort();
    await expect(second).rejects.toMatchObject({ code: 'ABORTED' });
    await expect(first).resolves.toMatchObject({ text: 'ok' });
    await expect(limited.generate({ messages: [] })).resolves.toMatchObject({ text: 'ok' });
  });
});
