import { describe, expect, it } from 'vitest';
import { jsonLinesLoader, jsonLoader } from './json-loader.js';
import { locateJsonError } from './locate-json-error.js';
import { expectLoreError } from './test-support/expect-lore-error.js';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('jsonLoader', () => {
  it('makes one record per object, with known text fields and the other fields as block metadata', async () => {
    const data = [
      { id: 'a1', title: 'Hello', body: 'First post body.', author: { name: 'Ada', age: 36 }, tags: ['x', 'y'], comments: [{ t: 1 }], score: 4.5 },
      { id: 'a2', title: '你好', body: '第二篇文章的内容。', published: true },
    ];
    const doc = await jsonLoader.load({ source: 'posts.json', bytes: utf8(JSON.stringify(data, null, 2)) });
    const records = ['Hello\nFirst post body.', '你好\n第二篇文章的内容。'];
    expect(doc.text).toBe(records.join('\n\n'));
    expect(doc.blocks?.map((b) => doc.text.slice(b.start, b.end))).toEqual(records);
    expect(doc.blocks?.map((b) => b.metadata)).toEqual([
      { record: 1, id: 'a1', 'author.name': 'Ada', 'author.age': 36, tags: ['x', 'y'], score: 4.5 },
      { record: 2, id: 'a2', published: true },
    ]);
    expect(doc.metadata).toEqual({ type: 'json', encoding: 'utf-8', records: 2, textFields: ['title', 'body'] });
    expect(doc.mimeType).toBe('application/json');
  });

  it('falls back to long string fields when no known field is present', async () => {
    const data = [{ _id: 7, label: 'short', description: 'A description long enough to be prose.' }];
    const doc = await jsonLoader.load({ source: 'a.json', bytes: utf8(JSON.stringify(data)) });
    expect(doc.text).toBe('A description long enough to be prose.');
    expect(doc.blocks?.[0]?.metadata).toEqual({ record: 1, id: 7, label: 'short' });
  });

  it('reads a single object as one record, and a wrapper object as its records', async () => {
    const single = await jsonLoader.load({ source: 'one.json', bytes: utf8('{"title":"Only","content":"One record.","n":1}') });
    expect(single.text).toBe('Only\nOne record.');
    expect(single.blocks).toHaveLength(1);
    const wrapped = await jsonLoader.load({ source: 'w.json', bytes: utf8('{"count":2,"data":[{"text":"one"},{"text":"two"}]}') });
    expect(wrapped.text).toBe('one\n\ntwo');
    expect(wrapped.warnings.join()).toMatch(/"data"/);
  });

  it('reports invalid JSON as PARSE_ERROR with line and column', async () => {
    const text = '[\n  {"title": "ok"},\n  {"title": "missing comma" "body": 1}\n]';
    const error = await expectLoreError(() => jsonLoader.load({ source: 'bad.json', bytes: utf8(text) }), 'PARSE_ERROR');
    expect(error.message).toMatch(/bad\.json at line 3, column 29/);
    expect(error.subject).toBe('bad.json');
    const truncated = await expectLoreError(() => jsonLoader.load({ source: 't.json', bytes: utf8('{"a": [1, 2') }), 'PARSE_ERROR');
    expect(truncated.message).toMatch(/line 1, column 12: unexpected end of input/);
  });

  it('reads a .json file that holds JSON Lines', async () => {
    const doc = await jsonLoader.load({ source: 'x.json', bytes: utf8('{"text":"a"}\n{"text":"b"}\n') });
    expect(doc.text).toBe('a\n\nb');
    expect(doc.metadata.type).toBe('jsonl');
  });

  it('refuses records without any text', async () => {
    await expectLoreError(() => jsonLoader.load({ source: 'n.json', bytes: utf8('[{"n":1},{"n":2}]') }), 'EMPTY_FILE');
    await expectLoreError(() => jsonLoader.load({ source: 'e.json', bytes: utf8('[]') }), 'EMPTY_FILE');
  });
});

describe('jsonLinesLoader', () => {
  const lines = [
    '{"doc_id": "d1", "question": "What is RAG?", "answer": "Retrieval-augmented generation.", "lang": "en", "meta": {"source": "faq"}}',
    '',
    '{"doc_id": "d2", "question": "什么是向量检索？", "answer": "用向量相似度查找文本。", "lang": "zh"}',
    '',
  ].join('\n');

  it('uses textFields in order and idField, skipping blank lines', async () => {
    const doc = await jsonLinesLoader.load({
      source: 'faq.jsonl',
      bytes: utf8(lines),
      options: { textFields: ['question', 'answer'], idField: 'doc_id' },
    });
    expect(doc.text).toBe('What is RAG?\nRetrieval-augmented generation.\n\n什么是向量检索？\n用向量相似度查找文本。');
    expect(doc.blocks?.map((b) => b.metadata)).toEqual([
      { record: 1, id: 'd1', lang: 'en', 'meta.source': 'faq' },
      { record: 2, id: 'd2', lang: 'zh' },
    ]);
    expect(doc.mimeType).toBe('application/jsonl');
    expect(doc.metadata).toMatchObject({ type: 'jsonl', records: 2, textFields: ['question', 'answer'] });
  });

  it('reports the line number of a bad line', async () => {
    const bad = '{"text": "ok"}\n\n{"text": "fine"}\n{"text": oops}\n';
    const error = await expectLoreError(() => jsonLinesLoader.load({ source: 'bad.jsonl', bytes: utf8(bad) }), 'PARSE_ERROR');
    expect(error.message).toMatch(/bad\.jsonl at line 4, column 10/);
  });
});

describe('locateJsonError', () => {
  it('finds the first offending character', () => {
    expect(locateJsonError({ text: '{"a": 1,}' })).toMatchObject({ line: 1, column: 9, reason: 'expected a property name in double quotes' });
    expect(locateJsonError({ text: '[1,\n 2,\n x]' })).toMatchObject({ line: 3, column: 2 });
    expect(locateJsonError({ text: '{"a": "b\nc"}' })).toMatchObject({ line: 1, column: 9, reason: 'control character in string' });
    expect(locateJsonError({ text: '[1] 2' })).toMatchObject({ column: 5, reason: 'unexpected text after the JSON value' });
  });
});
