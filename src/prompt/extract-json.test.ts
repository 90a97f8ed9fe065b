import { describe, expect, it } from 'vitest';
import { extractJson } from './extract-json.js';

describe('extractJson', () => {
  it('reads a bare reply, a fenced block, or JSON inside prose', () => {
    expect(extractJson(' {"a": 1} ')).toEqual({ ok: true, value: { a: 1 }, text: '{"a": 1}' });
    expect(extractJson('Here you go:\n```json\n{"a": [1, 2]}\n```\nAnything else?')).toMatchObject({ ok: true, value: { a: [1, 2] } });
    expect(extractJson('Sure! The result is {"name": "gear {box}", "n": 2}. Hope it helps.')).toMatchObject({ ok: true, value: { name: 'gear {box}', n: 2 } });
    expect(extractJson('Items [see below]: [1, 2, 3]')).toMatchObject({ ok: true, value: [1, 2, 3] });
    expect(extractJson('<think>maybe {"a": 0</think>{"a": 1}')).toMatchObject({ ok: true, value: { a: 1 } });
  });

  it('says why when there is none', () => {
    expect(extractJson('')).toEqual({ ok: false, error: 'the reply is empty' });
    expect(extractJson('No idea, sorry.')).toEqual({ ok: false, error: 'the reply contains no JSON' });
    const broken = extractJson('{"a": 1,}');
    expect(broken.ok).toBe(false);
    expect(!broken.ok && broken.error).toMatch(/^the reply has no valid JSON/);
    expect(extractJson('{"a": 1,}', { lenient: true })).toMatchObject({ ok: true, value: { a: 1 } });
  });
});
