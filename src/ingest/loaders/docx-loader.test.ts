import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { docxLoader } from './docx-loader.js';
import { expectLoreError } from './test-support/expect-lore-error.js';
import { makeDocx } from './test-support/make-docx.js';

describe('docxLoader', () => {
  it('turns heading styles into Markdown headings (English and Chinese)', async () => {
    const bytes = makeDocx({
      title: 'Lore 用户手册',
      paragraphs: [
        { text: 'Getting started', style: 'Heading1' },
        { text: 'Lore indexes your documents locally.' },
        { text: 'Install', style: 'Heading2' },
        { text: 'Run npm install & build.' },
        { text: '中文说明', style: 'Heading1' },
        { text: '检索增强生成在本地运行。' },
        { text: '配置', style: 'Heading2' },
        { text: '编辑配置文件。' },
      ],
    });
    const doc = await docxLoader.load({ source: '/docs/manual.docx', bytes });
    expect(doc.text).toBe(
      [
        '# Getting started',
        'Lore indexes your documents locally.',
        '## Install',
        'Run npm install & build.',
        '# 中文说明',
        '检索增强生成在本地运行。',
        '## 配置',
        '编辑配置文件。',
      ].join('\n\n'),
    );
    expect(doc.markdown).toBe(true);
    expect(doc.title).toBe('Lore 用户手册');
    expect(doc.mimeType).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(doc.metadata).toEqual({ type: 'docx', author: 'Lore Tests', created: '2024-01-15T10:00:00Z' });
    expect(doc.warnings).toEqual([]);
  });

  it('maps heading style ids when styles.xml is missing, keeps tables as rows, titles from the first heading', async () => {
    const bytes = makeDocx({
      withoutStyles: true,
      paragraphs: [
        { text: 'Report', style: 'Title' },
        { text: 'Summary', style: 'Heading1' },
        { text: 'Numbers below.' },
      ],
      table: [
        ['Name', 'Score'],
        ['张三', '90'],
      ],
    });
    const doc = await docxLoader.load({ source: 'report.docx', bytes });
    expect(doc.text).toBe('# Report\n\n# Summary\n\nNumbers below.\n\nName | Score\n张三 | 90');
    expect(doc.title).toBe('Report');
    // Undefined-style chatter from mammoth is not worth a warning.
    expect(doc.warnings).toEqual([]);
  });

  it('reports a damaged or non-DOCX zip as CORRUPT_FILE', async () => {
    const truncated = makeDocx({ paragraphs: [{ text: 'x' }] }).subarray(0, 60);
    const error = await expectLoreError(() => docxLoader.load({ source: 'broken.docx', bytes: truncated }), 'CORRUPT_FILE');
    expect(error.message).toMatch(/broken\.docx/);
    await expectLoreError(() => docxLoader.load({ source: 'other.docx', bytes: zipSync({ 'a.txt': strToU8('x') }) }), 'CORRUPT_FILE');
  });

  it('reports a document without text as EMPTY_FILE', async () => {
    await expectLoreError(() => docxLoader.load({ source: 'blank.docx', bytes: makeDocx({ paragraphs: [{ text: '' }] }) }), 'EMPTY_FILE');
  });
});
