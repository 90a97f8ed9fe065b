import { describe, expect, it } from 'vitest';
import { isLoreError } from '../../spec/errors.js';
import { parseTestSet, testItemLine, testSetHash } from './test-set.js';

describe('parseTestSet', () => {
  it('reads Lore and Ragas field names', () => {
    const text = [
      JSON.stringify({ id: 'a', question: 'How often is the oil replaced?', reference: 'Every 18 months.', source_chunks: [{ chunk_id: 4, source: '/m.md', text: 'Replace the oil every 18 months.' }] }),
      JSON.stringify({ user_input: '齿轮油多久更换？', reference: '每十八个月。', reference_contexts: ['每十八个月更换一次齿轮油。'], response: 'ignored', retrieved_contexts: ['ignored'] }),
      '',
      JSON.stringify({ _id: 7, question: 'q?', ground_truths: ['', 'first truth'], contexts: 'one context' }),
      JSON.stringify({ question: 'answer is the reference here', answer: 'the reference' }),
    ].join('\n');
    const items = parseTestSet({ text: `\ufeff${text}`, file: 'set.jsonl' });
    expect(items).toEqual([
      { id: 'a', question: 'How often is the oil replaced?', reference: 'Every 18 months.', contexts: [{ text: 'Replace the oil every 18 months.', chunkId: 4, source: '/m.md' }] },
      { id: 'line-2', question: '齿轮油多久更换？', reference: '每十八个月。', contexts: [{ text: '每十八个月更换一次齿轮油。' }], extra: { response: 'ignored', retrieved_contexts: ['ignored'] } },
      { id: '7', question: 'q?', reference: 'first truth', contexts: [{ text: 'one context' }] },
      { id: 'line-5', question: 'answer is the reference here', reference: 'the reference' },
    ]);
  });

  it('points at the line to fix', () => {
    const fail = (text: string) => {
      try {
        parseTestSet({ text, file: 'set.jsonl' });
      } catch (error) {
        if (isLoreError(error, 'PARSE_ERROR')) return error.message;
      }
      return 'no error';
    };
    expect(fail('{"question": "ok"}\n{broken')).toMatch(/set\.jsonl:2: not valid JSON/);
    expect(fail('{"reference": "no question"}')).toMatch(/set\.jsonl:1: missing "question"/);
    expect(fail('{"id": "x", "question": "a"}\n{"id": "x", "question": "b"}')).toMatch(/:2: duplicate id "x"/);
    expect(fail('{"question": "a", "contexts": [3]}')).toMatch(/strings or objects/);
    expect(fail('\n\n')).toMatch(/no test item/);
  });

  it('hashes the items, not the formatting, and writes lines that read back the same', () => {
    const a = parseTestSet({ text: '{"question": "q?", "reference": "r"}' });
    const b = parseTestSet({ text: '{ "reference" : "r",   "question": "q?" }\n\n' });
    expect(testSetHash(a)).toBe(testSetHash(b));
    expect(testSetHash(a)).not.toBe(testSetHash(parseTestSet({ text: '{"question": "q?", "reference": "other"}' })));
    const item = { id: 'gen-001', question: 'q?', reference: 'r', contexts: [{ chunkId: 3, source: '/a', text: 't' }], extra: { type: 'factual' } };
    expect(parseTestSet({ text: testItemLine(item) })).toEqual([item]);
  });
});
