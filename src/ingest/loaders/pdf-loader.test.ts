import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { pdfLoader } from './pdf-loader.js';
import { expectLoreError } from './test-support/expect-lore-error.js';
import { makePdf } from './test-support/make-pdf.js';

describe('pdfLoader', () => {
  // pdf.js must stay quiet in normal use: any console output during these tests is a failure.
  const spies: Array<ReturnType<typeof vi.spyOn>> = [];
  beforeEach(() => {
    for (const method of ['log', 'warn', 'error', 'info'] as const) spies.push(vi.spyOn(console, method));
  });
  afterEach(() => {
    for (const spy of spies) {
      expect(spy).not.toHaveBeenCalled();
      spy.mockRestore();
    }
    spies.length = 0;
  });

  it('extracts English and Chinese text page by page, with one block per page', async () => {
    const bytes = makePdf({
      title: 'Lore 测试文档',
      pages: [
        { lines: ['Retrieval-augmented generation', 'Page one (intro) text.'] },
        { lines: ['检索增强生成是一种技术。', '第二页的第二行。'], font: 'cjk' },
        { lines: ['The third page.'] },
      ],
    });
    const doc = await pdfLoader.load({ source: '/docs/mixed.pdf', bytes });
    expect(doc.mimeType).toBe('application/pdf');
    expect(doc.title).toBe('Lore 测试文档');
    expect(doc.metadata).toMatchObject({ type: 'pdf', pages: 3, producer: 'Lore tests' });
    expect(doc.blocks?.map((b) => b.page)).toEqual([1, 2, 3]);
    const pageText = (doc.blocks ?? []).map((b) => doc.text.slice(b.start, b.end));
    expect(pageText).toEqual(['Retrieval-augmented generation\nPage one (intro) text.', '检索增强生成是一种技术。\n第二页的第二行。', 'The third page.']);
    expect(doc.text).toBe(pageText.join('\n\n'));
    expect(doc.warnings).toEqual([]);
    // The caller's bytes are not detached by pdf.js.
    expect(bytes.byteLength).toBeGreaterThan(0);
  });

  it('skips pages without text and says which', async () => {
    const bytes = makePdf({ pages: [{ lines: ['First'] }, { lines: [] }, { lines: ['Third'] }] });
    const doc = await pdfLoader.load({ source: 'gap.pdf', bytes });
    expect(doc.text).toBe('First\n\nThird');
    expect(doc.blocks).toEqual([
      { start: 0, end: 5, page: 1 },
      { start: 7, end: 12, page: 3 },
    ]);
    expect(doc.warnings.join()).toMatch(/page 2.*OCR/);
  });

  it('reports a PDF without any text as EMPTY_FILE that needs OCR', async () => {
    const error = await expectLoreError(() => pdfLoader.load({ source: 'scan.pdf', bytes: makePdf({ pages: [{ lines: [] }, { lines: [] }] }) }), 'EMPTY_FILE');
    expect(error.message).toMatch(/OCR/);
    expect(error.subject).toBe('scan.pdf');
  });

  it('reports a password-protected PDF as ENCRYPTED_FILE with a way out', async () => {
    const bytes = makePdf({ encrypted: true, pages: [{ lines: ['secret'] }] });
    const error = await expectLoreError(() => pdfLoader.load({ source: 'locked.pdf', bytes }), 'ENCRYPTED_FILE');
    expect(error.message).toMatch(/locked\.pdf/);
    expect(error.hint).toMatch(/qpdf --decrypt/);
    expect((error.cause as Error).name).toBe('PasswordException');
  });

  it('reports garbage and truncated files as CORRUPT_FILE', async () => {
    const garbage = new TextEncoder().encode('%PDF-1.4\n\u0001garbage garbage garbage\n');
    await expectLoreError(() => pdfLoader.load({ source: 'bad.pdf', bytes: garbage }), 'CORRUPT_FILE');
    const truncated = makePdf({ pages: [{ lines: ['Hello'] }] }).subarray(0, 200);
    await expectLoreError(() => pdfLoader.load({ source: 'cut.pdf', bytes: truncated }), 'CORRUPT_FILE');
    await expectLoreError(() => pdfLoader.load({ source: 'notapdf.pdf', bytes: new TextEncoder().encode('hello world') }), 'CORRUPT_FILE');
  });
});
