import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOADERS, loadDocument } from './index.js';
import { expectLoreError } from './test-support/expect-lore-error.js';
import { makeDocx } from './test-support/make-docx.js';
import { makePdf } from './test-support/make-pdf.js';

/** Real files on disk, read back as bytes, as the ingest pipeline will. */
let dir: string;
const write = (name: string, content: Uint8Array | string): string => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
};
const load = async (file: string, options?: Parameters<typeof loadDocument>[0]['options']) =>
  loadDocument({ source: file, bytes: new Uint8Array(fs.readFileSync(file)), ...(options ? { options } : {}) });

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lore-loaders-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('loadDocument', () => {
  it('dispatches every format to its loader and labels the result', async () => {
    const files: Array<[string, Uint8Array | string, string, string]> = [
      ['report.pdf', makePdf({ pages: [{ lines: ['Page one'] }, { lines: ['第二页'], font: 'cjk' }] }), 'pdf', 'application/pdf'],
      ['manual.docx', makeDocx({ paragraphs: [{ text: '标题', style: 'Heading1' }, { text: 'Body' }] }), 'docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
      ['page.html', '<html><body><h1>T</h1><p>x</p></body></html>', 'html', 'text/html'],
      ['README.md', '# Read me\n\ntext', 'markdown', 'text/markdown'],
      ['data.csv', 'a,b\n1,2\n', 'csv', 'text/csv'],
      ['data.tsv', 'a\tb\n1\t2\n', 'tsv', 'text/tab-separated-values'],
      ['data.json', '[{"text":"hello"}]', 'json', 'application/json'],
      ['data.jsonl', '{"text":"hello"}\n', 'jsonl', 'application/jsonl'],
      ['notes.txt', 'plain text', 'text', 'text/plain'],
      ['app.go', 'package main\n', 'code', 'text/x-go'],
    ];
    for (const [name, content, type, mimeType] of files) {
      const doc = await load(write(name, content));
      expect(doc.metadata.type, name).toBe(type);
      expect(doc.mimeType, name).toBe(mimeType);
      expect(doc.source).toBe(path.join(dir, name));
      expect(doc.text.length, name).toBeGreaterThan(0);
    }
    expect(LOADERS.map((l) => l.name).sort()).toEqual(['code', 'csv', 'docx', 'html', 'json', 'jsonl', 'markdown', 'pdf', 'text', 'tsv']);
  });

  it('reads HTML saved as .txt as HTML', async () => {
    const doc = await load(write('saved-page.txt', '<!DOCTYPE html><html lang="zh"><head><title>页面</title></head><body><nav>菜单</nav><h2>小节</h2><p>正文。</p></body></html>'));
    expect(doc).toMatchObject({ mimeType: 'text/html', title: '页面', text: '## 小节\n\n正文。', markdown: true, metadata: { type: 'html', lang: 'zh' } });
  });

  it('decodes GBK and UTF-16 Chinese text files and records the encoding', async () => {
    const text = '检索增强生成（RAG）把检索和生成结合起来。\n本地优先，离线可用。\n';
    const gbk = await load(write('gbk.txt', new Uint8Array(iconv.encode(text, 'gbk'))));
    expect(gbk).toMatchObject({ text, metadata: { type: 'text', encoding: 'gb18030' } });
    const le = await load(write('utf16le.txt', new Uint8Array(iconv.encode(text, 'utf-16le'))));
    expect(le).toMatchObject({ text, metadata: { encoding: 'utf-16le' } });
    const bom = await load(write('utf16bom.txt', new Uint8Array([0xff, 0xfe, ...iconv.encode(text, 'utf-16le')])));
    expect(bom).toMatchObject({ text, metadata: { encoding: 'utf-16le' } });
    const latin = await load(write('latin1.txt', new Uint8Array(iconv.encode('Crème brûlée à la française.\n', 'latin1'))));
    expect(latin.text).toBe('Crème brûlée à la française.\n');
  });

  it('passes options through to the loader', async () => {
    const file = write('qa.jsonl', '{"q":"Why?","a":"Because.","key":"k1"}\n');
    const doc = await load(file, { textFields: ['q', 'a'], idField: 'key' });
    expect(doc.text).toBe('Why?\nBecause.');
    expect(doc.blocks?.[0]?.metadata).toEqual({ record: 1, id: 'k1' });
  });

  it('reports empty, binary, unsupported and broken files with their codes', async () => {
    await expectLoreError(() => load(write('empty.txt', '')), 'EMPTY_FILE');
    await expectLoreError(() => load(write('blank.md', '  \n\n ')), 'EMPTY_FILE');
    await expectLoreError(() => load(write('blob.dat', new Uint8Array([0, 1, 2, 3, 0, 255, 254, 0, 7, 8]))), 'BINARY_FILE');
    await expectLoreError(() => load(write('image.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]))), 'UNSUPPORTED_FORMAT');
    await expectLoreError(() => load(write('broken.pdf', '%PDF-1.4\n\u0001 nothing here')), 'CORRUPT_FILE');
    await expectLoreError(() => load(write('broken.docx', new Uint8Array([0x50, 0x4b, 3, 4, 1, 2, 3]))), 'CORRUPT_FILE');
    await expectLoreError(() => load(write('locked.pdf', makePdf({ encrypted: true, pages: [{ lines: ['x'] }] }))), 'ENCRYPTED_FILE');
    await expectLoreError(() => load(write('bad.json', '{"a": }')), 'PARSE_ERROR');
  });
});
