import iconv from 'iconv-lite';
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { detectType } from './detect-type.js';
import { expectLoreError } from './test-support/expect-lore-error.js';
import { makeDocx } from './test-support/make-docx.js';
import { makePdf } from './test-support/make-pdf.js';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('detectType', () => {
  it('detects PDF and DOCX by their content, whatever the name', () => {
    const pdf = makePdf({ pages: [{ lines: ['Hello'] }] });
    expect(detectType({ source: '/docs/report.pdf', bytes: pdf })).toEqual({ type: 'pdf', mimeType: 'application/pdf' });
    expect(detectType({ source: '/docs/report.bin', bytes: pdf }).type).toBe('pdf');
    const docx = makeDocx({ paragraphs: [{ text: 'Hello' }] });
    expect(detectType({ source: 'letter.docx', bytes: docx })).toEqual({
      type: 'docx',
      mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    });
    expect(detectType({ source: 'letter.zip', bytes: docx }).type).toBe('docx');
  });

  it('detects HTML by its doctype even when named .txt', () => {
    expect(detectType({ source: 'page.txt', bytes: utf8('\ufeff  <!DOCTYPE html>\n<html><body>x</body></html>') }).type).toBe('html');
    expect(detectType({ source: 'page', bytes: utf8('<!-- saved --><html lang="en"><p>x</p></html>') }).type).toBe('html');
    const utf16 = new Uint8Array([0xff, 0xfe, ...iconv.encode('<!doctype html><title>t</title>', 'utf-16le')]);
    expect(detectType({ source: 'page.txt', bytes: utf16 }).type).toBe('html');
    expect(detectType({ source: 'page.htm', bytes: utf8('<p>fragment</p>') }).type).toBe('html');
    expect(detectType({ source: 'notes.txt', bytes: utf8('Use <html> tags like this.') }).type).toBe('text');
  });

  it('detects JSON and JSON Lines by content for text files', () => {
    expect(detectType({ source: 'data.txt', bytes: utf8('[{"a": 1}]') }).type).toBe('json');
    expect(detectType({ source: 'export', bytes: utf8('{"a": 1}\n{"a": 2}\n') })).toEqual({ type: 'jsonl', mimeType: 'application/jsonl' });
    expect(detectType({ source: 'notes.txt', bytes: utf8('[1] A reference, not JSON') }).type).toBe('text');
    expect(detectType({ source: 'a.json', bytes: utf8('{broken') }).type).toBe('json');
    expect(detectType({ source: 'a.ndjson', bytes: utf8('{}') }).type).toBe('jsonl');
  });

  it('maps extensions: markdown, csv, tsv, code with a language, text', () => {
    expect(detectType({ source: 'README.md', bytes: utf8('# Hi') })).toEqual({ type: 'markdown', mimeType: 'text/markdown' });
    expect(detectType({ source: 'post.mdx', bytes: utf8('# Hi') }).type).toBe('markdown');
    expect(detectType({ source: 'a.CSV', bytes: utf8('a,b\n1,2') }).type).toBe('csv');
    expect(detectType({ source: 'a.tsv', bytes: utf8('a\tb\n1\t2') }).type).toBe('tsv');
    expect(detectType({ source: 'src/app.ts', bytes: utf8('export {}') })).toEqual({ type: 'code', mimeType: 'text/x-typescript', language: 'typescript' });
    expect(detectType({ source: 'main.py', bytes: utf8('print(1)') }).language).toBe('python');
    expect(detectType({ source: 'config.yml', bytes: utf8('a: 1') }).language).toBe('yaml');
    expect(detectType({ source: '/repo/Dockerfile', bytes: utf8('FROM node') }).language).toBe('dockerfile');
    expect(detectType({ source: 'https://example.com/files/notes.txt?x=1', bytes: utf8('hello') }).type).toBe('text');
    expect(detectType({ source: 'LICENSE', bytes: utf8('MIT') })).toEqual({ type: 'text', mimeType: 'text/plain' });
  });

  it('refuses images, archives and executables with a clear message', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    expect((await expectLoreError(() => detectType({ source: 'photo.png', bytes: png }), 'UNSUPPORTED_FORMAT')).message).toMatch(/PNG image/);
    // Named .txt: the content still decides.
    await expectLoreError(() => detectType({ source: 'photo.txt', bytes: png }), 'UNSUPPORTED_FORMAT');
    await expectLoreError(() => detectType({ source: 'a.jpg', bytes: new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]) }), 'UNSUPPORTED_FORMAT');
    await expectLoreError(() => detectType({ source: 'a.gif', bytes: utf8('GIF89a\x01\x00') }), 'UNSUPPORTED_FORMAT');
    const elf = new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0]);
    expect((await expectLoreError(() => detectType({ source: 'tool', bytes: elf }), 'BINARY_FILE')).message).toMatch(/ELF/);
    const zip = zipSync({ 'a.txt': strToU8('hello') });
    expect((await expectLoreError(() => detectType({ source: 'a.zip', bytes: zip }), 'UNSUPPORTED_FORMAT')).message).toMatch(/ZIP archive/);
    const xlsx = zipSync({ 'xl/workbook.xml': strToU8('<workbook/>') });
    expect((await expectLoreError(() => detectType({ source: 'a.xlsx', bytes: xlsx }), 'UNSUPPORTED_FORMAT')).message).toMatch(/CSV/);
    expect((await expectLoreError(() => detectType({ source: 'old.doc', bytes: utf8('whatever') }), 'UNSUPPORTED_FORMAT')).message).toMatch(/\.docx/);
  });

  it('calls a .docx that is a ZIP without word/document.xml corrupt', async () => {
    await expectLoreError(() => detectType({ source: 'a.docx', bytes: zipSync({ 'a.txt': strToU8('x') }) }), 'CORRUPT_FILE');
    // Damaged beyond reading: the DOCX loader will say so.
    expect(detectType({ source: 'a.docx', bytes: new Uint8Array([0x50, 0x4b, 3, 4, 9, 9, 9]) }).type).toBe('docx');
  });
});
