import { describe, expect, it } from 'vitest';
import { HttpError } from './http-error.js';
import { createRateLimiter, parseRate } from './rate-limiter.js';
import { createWorkQueue } from './work-queue.js';

describe('rate limiter', () => {
  it('parses rates', () => {
    expect(parseRate('600/min').perMinute).toBe(600);
    expect(parseRate('10/s').perMinute).toBe(600);
    expect(parseRate('3600/h').perMinute).toBe(60);
    expect(parseRate('120').perMinute).toBe(120);
    expect(() => parseRate('fast')).toThrow(/600\/min/);
  });

  it('allows a burst of ten seconds’ allowance, then one request per interval, per caller', () => {
    let t = 0;
    const limiter = createRateLimiter({ perMinute: 600, now: () => t });
    const taken = Array.from({ length: 101 }, () => limiter.take('a'));
    expect(taken.slice(0, 100).every((w) => w === 0)).toBe(true);
    expect(taken[100]).toBe(1);
    expect(limiter.take('b')).toBe(0);
    t += 100; // 600/min = one every 100 ms
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBeGreaterThan(0);
    expect(createRateLimiter({ perMinute: 0 }).take('a')).toBe(0);
  });
});

describe('work queue', () => {
  it('runs up to `concurrency` tasks, queues up to `maxWaiting`, refuses the rest with 503', async () => {
    const states: Array<[number, number]> = [];
    const queue = createWorkQueue({ concurrency: 2, maxWaiting: 1, onChange: (s) => states.push([s.active, s.waiting]) });
    const gates: Array<() => void> = [];
    const task = () => new Promise<string>((resolve) => gates.push(() => resolve('done')));
    const running = [queue.run(task), queue.run(task), queue.run(task)];
    const refused = await queue.run(task).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(HttpError);
    expect((refused as HttpError).status).toBe(503);
    expect((refused as HttpError).retryAfterS).toBe(1);
    expect([queue.active, queue.waiting]).toEqual([2, 1]);
    gates.shift()!();
    await running[0];
    // The freed slot went to the waiting task, not to a newcomer.
    expect([queue.active, queue.waiting]).toEqual([2, 0]);
    await new Promise((r) => setTimeout(r, 0));
    while (gates.length) gates.shift()!();
    expect(await Promise.all(running)).toEqual(['done', 'done', 'done']);
    expect([queue.active, queue.waiting]).toEqual([0, 0]);
  });

  it('drops a waiting task whose client went away', async () => {
    const queue = createWorkQueue({ concurrency: 1, maxWaiting: 5 });
    let release!: () => void;
    const first = queue.run(() => new Promise<void>((r) => (release = r)));
    const abort = new AbortController();
    const second = queue.run(async () => 'ran', { signal: abort.signal });
    abort.abort();
    await expect(second).rejects.toMatchObject({ status: 499 });
    expect(queue.waiting).toBe(0);
    release();
    await first;
  });
});
