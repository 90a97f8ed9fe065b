import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { csvLoader, tsvLoader } from './csv-loader.js';
import { parseCsv, sniffDelimiter } from './parse-csv.js';
import { expectLoreError } from './test-support/expect-lore-error.js';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('parseCsv', () => {
  it('handles quotes, escaped quotes, CRLF and newlines inside quotes', () => {
    const text = 'name,quote\r\n"Smith, J","He said ""hi"""\r\n"Multi\r\nline",plain\r\nlast,\r\n';
    expect(parseCsv({ text }).rows).toEqual([
      ['name', 'quote'],
      ['Smith, J', 'He said "hi"'],
      ['Multi\r\nline', 'plain'],
      ['last', ''],
    ]);
    expect(parseCsv({ text }).lines).toEqual([1, 2, 3, 5]);
    expect(parseCsv({ text: 'a,b\n1,2' }).rows).toEqual([['a', 'b'], ['1', '2']]);
  });

  it('sniffs comma, tab and semicolon delimiters, ignoring quoted ones', () => {
    expect(sniffDelimiter({ text: 'a;b;c\n1;"2,5";3\n' })).toBe(';');
    expect(sniffDelimiter({ text: 'a\tb\n1\t2,3\n' })).toBe('\t');
    expect(sniffDelimiter({ text: 'a,b\n"x;y",2\n' })).toBe(',');
    expect(parseCsv({ text: 'a;b\n1;2\n' })).toMatchObject({ delimiter: ';', rows: [['a', 'b'], ['1', '2']] });
  });

  it('reads an unclosed quote to the end and says so', () => {
    const parsed = parseCsv({ text: 'a,b\n1,"open\n2,3' });
    expect(parsed.rows).toEqual([['a', 'b'], ['1', 'open\n2,3']]);
    expect(parsed.warnings.join()).toMatch(/line 2/);
  });
});

describe('csvLoader', () => {
  it('writes each row as a record with its column names, one block per row', async () => {
    const text = 'id,title,body\n1,Hello,"First, with a comma"\n2,你好,"中文内容\n第二行"\n3,"Quote ""this""",\n';
    const doc = await csvLoader.load({ source: 'posts.csv', bytes: utf8(text) });
    const records = [
      'id: 1\ntitle: Hello\nbody: First, with a comma',
      'id: 2\ntitle: 你好\nbody: 中文内容\n第二行',
      'id: 3\ntitle: Quote "this"',
    ];
    expect(doc.text).toBe(records.join('\n\n'));
    expect(doc.blocks?.map((b) => doc.text.slice(b.start, b.end))).toEqual(records);
    expect(doc.blocks?.map((b) => b.metadata)).toEqual([{ row: 1 }, { row: 2 }, { row: 3 }]);
    expect(doc.metadata).toEqual({ type: 'csv', encoding: 'utf-8', delimiter: ',', rows: 3, columns: ['id', 'title', 'body'] });
    expect(doc.mimeType).toBe('text/csv');
    expect(doc.warnings).toEqual([]);
  });

  it('keeps ragged rows and warns with their numbers', async () => {
    const text = 'a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n';
    const doc = await csvLoader.load({ source: 'ragged.csv', bytes: utf8(text) });
    expect(doc.text).toBe('a: 1\nb: 2\nc: 3\n\na: 4\nb: 5\n\na: 6\nb: 7\nc: 8\ncolumn_4: 9\n\na: 10\nb: 11\nc: 12');
    expect(doc.warnings).toHaveLength(1);
    expect(doc.warnings[0]).toMatch(/2 rows .*rows 2, 3/);
  });

  it('decodes GBK CSV files and sniffs semicolons', async () => {
    const text = '城市;人口\n北京;2189万\n上海;2487万\n';
    const doc = await csvLoader.load({ source: 'cities.csv', bytes: new Uint8Array(iconv.encode(text, 'gbk')) });
    expect(doc.text).toBe('城市: 北京\n人口: 2189万\n\n城市: 上海\n人口: 2487万');
    expect(doc.metadata).toMatchObject({ encoding: 'gb18030', delimiter: ';' });
  });

  it('names blank and duplicate headers', async () => {
    const doc = await csvLoader.load({ source: 'h.csv', bytes: utf8('name,,name\nx,y,z\n') });
    expect(doc.text).toBe('name: x\ncolumn_2: y\nname_2: z');
  });

  it('refuses a header without data rows', async () => {
    await expectLoreError(() => csvLoader.load({ source: 'h.csv', bytes: utf8('a,b,c\n\n') }), 'EMPTY_FILE');
  });
});

describe('tsvLoader', () => {
  it('splits on tabs only', async () => {
    const doc = await tsvLoader.load({ source: 'terms.tsv', bytes: utf8('term\tdefinition\nRAG\tRetrieval, then generation\n向量\t一组数字\n') });
    expect(doc.text).toBe('term: RAG\ndefinition: Retrieval, then generation\n\nterm: 向量\ndefinition: 一组数字');
    expect(doc.mimeType).toBe('text/tab-separated-values');
    expect(doc.metadata).toMatchObject({ type: 'tsv', delimiter: '\t' });
  });
});
