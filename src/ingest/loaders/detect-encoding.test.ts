import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeText } from './detect-encoding.js';
import { expectLoreError } from './test-support/expect-lore-error.js';

const ZH = '检索增强生成是一种结合信息检索和文本生成的技术。\n本地优先的知识库可以在离线环境中运行，数据不会离开你的电脑。\n';
const ZH_TW = '檢索增強生成是一種結合資訊檢索和文字生成的技術。\n本地優先的知識庫可以在離線環境中運行。\n';
const encode = (text: string, encoding: string): Uint8Array => new Uint8Array(iconv.encode(text, encoding));
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('decodeText', () => {
  it('reads UTF-8, with and without a BOM, and normalises line ends', () => {
    expect(decodeText({ bytes: utf8('héllo 世界\r\nline 2\r'), source: 'a.txt' })).toEqual({
      text: 'héllo 世界\nline 2\n',
      encoding: 'utf-8',
      warnings: [],
    });
    const withBom = decodeText({ bytes: new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('中文')]), source: 'a.txt' });
    expect(withBom.text).toBe('中文');
    expect(withBom.encoding).toBe('utf-8');
  });

  it('reads UTF-16LE and UTF-16BE with a BOM', () => {
    const le = decodeText({ bytes: new Uint8Array([0xff, 0xfe, ...encode(ZH, 'utf-16le')]), source: 'le.txt' });
    expect(le).toMatchObject({ text: ZH, encoding: 'utf-16le' });
    const be = decodeText({ bytes: new Uint8Array([0xfe, 0xff, ...encode(ZH, 'utf-16be')]), source: 'be.txt' });
    expect(be).toMatchObject({ text: ZH, encoding: 'utf-16be' });
  });

  it('recognises UTF-16 without a BOM by its NUL bytes', () => {
    expect(decodeText({ bytes: encode(ZH, 'utf-16le'), source: 'le.txt' })).toMatchObject({ text: ZH, encoding: 'utf-16le' });
    expect(decodeText({ bytes: encode(ZH, 'utf-16be'), source: 'be.txt' })).toMatchObject({ text: ZH, encoding: 'utf-16be' });
    const english = 'Plain English text in UTF-16.\nSecond line.\n';
    expect(decodeText({ bytes: encode(english, 'utf-16le'), source: 'en.txt' })).toMatchObject({ text: english, encoding: 'utf-16le' });
  });

  it('decodes GBK as GB18030, and warns that the encoding was guessed', () => {
    const result = decodeText({ bytes: encode(ZH, 'gbk'), source: 'gbk.txt' });
    expect(result.text).toBe(ZH);
    expect(result.encoding).toBe('gb18030');
    expect(result.warnings.join()).toMatch(/gb18030.*--encoding/);
  });

  it('gets short Chinese texts right, where chardet alone does not', () => {
    expect(decodeText({ bytes: encode('你好，世界', 'gbk'), source: 'a.txt' })).toMatchObject({ text: '你好，世界', encoding: 'gb18030' });
    expect(decodeText({ bytes: encode('你好，世界', 'big5'), source: 'a.txt' })).toMatchObject({ text: '你好，世界', encoding: 'big5' });
  });

  it('decodes Big5 (traditional Chinese)', () => {
    expect(decodeText({ bytes: encode(ZH_TW, 'big5'), source: 'big5.txt' })).toMatchObject({ text: ZH_TW, encoding: 'big5' });
  });

  it('decodes Latin-1 / windows-1252', () => {
    const french = 'Café au lait, naïve résumé, déjà vu.\nÇa coûte cher — “vraiment”.\n';
    expect(decodeText({ bytes: encode(french, 'windows-1252'), source: 'fr.txt' })).toMatchObject({ text: french, encoding: 'windows-1252' });
    const latin1 = 'Größe und Maße, naïve café.\n';
    expect(decodeText({ bytes: encode(latin1, 'latin1'), source: 'de.txt' }).text).toBe(latin1);
  });

  it.each([
    ['Съешь же ещё этих мягких французских булок, да выпей чаю.\n', 'windows-1251'],
    ['Zażółć gęślą jaźń. Pchnąć w tę łódź jeża lub ośm skrzyń fig.\n', 'iso-8859-2'],
    ['これは日本語のテキストです。検索拡張生成のテストをしています。\n', 'shift_jis'],
    ['이것은 한국어 텍스트입니다. 검색 증강 생성 테스트입니다.\n', 'euc-kr'],
  ])('decodes other legacy encodings: %s (%s)', (text, encoding) => {
    expect(decodeText({ bytes: encode(text, encoding), source: 'x.txt' })).toMatchObject({ text, encoding });
  });

  it('honours a forced encoding, and rejects one that produces replacement characters', async () => {
    expect(decodeText({ bytes: encode(ZH, 'gbk'), source: 'a.txt', encoding: 'GBK' })).toMatchObject({ text: ZH, encoding: 'gb18030', warnings: [] });
    const error = await expectLoreError(() => decodeText({ bytes: encode(ZH, 'gbk'), source: 'a.txt', encoding: 'utf-8' }), 'ENCODING_ERROR');
    expect(error.message).toContain('a.txt');
    await expectLoreError(() => decodeText({ bytes: utf8('x'), source: 'a.txt', encoding: 'klingon' }), 'INVALID_ARGUMENT');
  });

  it('refuses invalid UTF-16 after a BOM rather than storing mojibake', async () => {
    // A lone high surrogate.
    const error = await expectLoreError(() => decodeText({ bytes: new Uint8Array([0xff, 0xfe, 0x41, 0x00, 0x00, 0xd8, 0x41, 0x00]), source: 'bad.txt' }), 'ENCODING_ERROR');
    expect(error.message).toMatch(/bad\.txt/);
    expect(error.message).toMatch(/--encoding/);
  });

  it('refuses binary content', async () => {
    const binary = new Uint8Array(256).map((_, i) => (i * 37) % 256);
    await expectLoreError(() => decodeText({ bytes: binary, source: 'blob.bin' }), 'BINARY_FILE');
    await expectLoreError(() => decodeText({ bytes: new Uint8Array([0x68, 0x69, 0x00, 0x00, 0x00, 0x01, 0x02, 0x68]), source: 'x.dat' }), 'BINARY_FILE');
    const controls = utf8('abc\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f\x10\x11\x12\x13 def');
    await expectLoreError(() => decodeText({ bytes: controls, source: 'ctl.txt' }), 'BINARY_FILE');
  });

  it('refuses empty and whitespace-only files', async () => {
    await expectLoreError(() => decodeText({ bytes: new Uint8Array(0), source: 'empty.txt' }), 'EMPTY_FILE');
    await expectLoreError(() => decodeText({ bytes: utf8(' \n\t\r\n　'), source: 'blank.txt' }), 'EMPTY_FILE');
    await expectLoreError(() => decodeText({ bytes: new Uint8Array([0xef, 0xbb, 0xbf]), source: 'bom.txt' }), 'EMPTY_FILE');
  });

  it('keeps U+FFFD that is really in a UTF-8 file, with a warning', () => {
    const result = decodeText({ bytes: utf8('broken \ufffd text'), source: 'a.txt' });
    expect(result.text).toBe('broken \ufffd text');
    expect(result.warnings.join()).toMatch(/U\+FFFD/);
  });
});
