import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { expectLoreError } from './test-support/expect-lore-error.js';
import { codeLoader, textLoader } from './text-loader.js';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('textLoader and codeLoader', () => {
  it('loads plain text with its encoding', async () => {
    const doc = await textLoader.load({ source: 'notes.txt', bytes: new Uint8Array(iconv.encode('第一行\r\n第二行，中文。\r\n', 'gbk')) });
    expect(doc).toMatchObject({ mimeType: 'text/plain', text: '第一行\n第二行，中文。\n', metadata: { type: 'text', encoding: 'gb18030' } });
    expect(doc.markdown).toBeUndefined();
    expect(doc.warnings).toHaveLength(1);
  });

  it('honours options.encoding', async () => {
    const doc = await textLoader.load({ source: 'a.txt', bytes: new Uint8Array(iconv.encode('naïve', 'latin1')), options: { encoding: 'latin1' } });
    expect(doc.text).toBe('naïve');
    expect(doc.warnings).toEqual([]);
  });

  it('loads code with its language', async () => {
    const doc = await codeLoader.load({ source: '/repo/src/main.py', bytes: utf8('def main():\n    print("你好")\n') });
    expect(doc).toMatchObject({ mimeType: 'text/x-python', metadata: { type: 'code', language: 'python', encoding: 'utf-8' } });
    expect(doc.text).toBe('def main():\n    print("你好")\n');
    expect((await codeLoader.load({ source: 'x.tsx', bytes: utf8('export {}') })).metadata.language).toBe('typescript');
  });

  it('refuses binary and empty files', async () => {
    await expectLoreError(() => textLoader.load({ source: 'a.txt', bytes: new Uint8Array([1, 2, 0, 0, 3, 4, 0, 5]) }), 'BINARY_FILE');
    await expectLoreError(() => textLoader.load({ source: 'a.txt', bytes: new Uint8Array(0) }), 'EMPTY_FILE');
  });
});
