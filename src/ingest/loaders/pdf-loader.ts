import { getResolvedPDFJS } from 'unpdf';
import type { LoadedDocument, Loader, LoaderInput, Metadata, TextBlock } from '../../spec/document.js';
import { isLoreError, LoreError } from '../../spec/errors.js';
import { MIME_TYPES } from './detect-type.js';

/**
 * PDFs through pdf.js (the serverless build bundled in unpdf, which runs in-process without a worker).
 * Each page becomes one block, so chunks never straddle pages and citations can name the page.
 */
export const pdfLoader: Loader = {
  name: 'pdf',
  mimeTypes: [MIME_TYPES.pdf],
  load: async ({ source, bytes }: LoaderInput): Promise<LoadedDocument> => {
    const pdfjs = await getResolvedPDFJS();
    const task = pdfjs.getDocument({
      // pdf.js may transfer (detach) the buffer it is given; the caller keeps its bytes.
      data: new Uint8Array(bytes),
      // Errors only: a damaged but readable file should not print warnings through the CLI's output.
      verbosity: 0,
      // Nothing leaves the process: no fonts, CMaps, wasm or ranges are fetched, no code is eval'd.
      isEvalSupported: false,
      disableFontFace: true,
      useSystemFonts: false,
      useWorkerFetch: false,
      useWasm: false,
      disableRange: true,
      disableStream: true,
      disableAutoFetch: true,
      enableXfa: false,
      isOffscreenCanvasSupported: false,
      isImageDecoderSupported: false,
      stopAtErrors: false,
    });
    let pdf: Awaited<typeof task.promise>;
    try {
      pdf = await task.promise;
    } catch (cause) {
      await task.destroy().catch(() => undefined);
      throw openError(source, cause);
    }
    try {
      const pages: string[] = [];
      const tinyText: string[] = [];
      for (let n = 1; n <= pdf.numPages; n++) {
        const page = await pdf.getPage(n);
        const content = await page.getTextContent();
        let raw = '';
        for (const item of content.items) {
          if (!('str' in item)) continue;
          raw += item.str + (item.hasEOL ? '\n' : '');
          // Text drawn below one point is invisible on the page but extracted all the same: a carrier of
          // instructions to a model. Samples go to metadata.tinyText for the guard (src/guard/flag-chunks.ts).
          const size = Math.hypot(item.transform[0] ?? 0, item.transform[1] ?? 0);
          if (size < 1 && item.str.trim() !== '' && tinyText.length < 20) tinyText.push(item.str.slice(0, 300));
        }
        pages.push(tidyPageText(raw));
        page.cleanup();
      }

      const blocks: TextBlock[] = [];
      const emptyPages: number[] = [];
      let text = '';
      pages.forEach((pageText, i) => {
        if (pageText === '') {
          emptyPages.push(i + 1);
          return;
        }
        if (text !== '') text += '\n\n';
        blocks.push({ start: text.length, end: text.length + pageText.length, page: i + 1 });
        text += pageText;
      });
      if (text === '') {
        throw new LoreError({
          code: 'EMPTY_FILE',
          message: `${source} has no extractable text (${pdf.numPages} page${pdf.numPages === 1 ? '' : 's'} of images or outlines)`,
          hint: 'it is probably scanned; run OCR on it first (e.g. ocrmypdf) and add the result',
          subject: source,
        });
      }

      const { info } = await pdf.getMetadata().catch(() => ({ info: {} as Record<string, unknown> }));
      const fields = (info ?? {}) as Record<string, unknown>;
      const metadata: Metadata = { type: 'pdf', pages: pdf.numPages, ...(tinyText.length > 0 ? { tinyText } : {}) };
      const title = cleanString(fields.Title);
      for (const [key, name] of [
        ['Author', 'author'],
        ['Subject', 'subject'],
        ['Keywords', 'keywords'],
        ['Creator', 'creator'],
        ['Producer', 'producer'],
      ] as const) {
        const value = cleanString(fields[key]);
        if (value) metadata[name] = value;
      }
      for (const [key, name] of [
        ['CreationDate', 'created'],
        ['ModDate', 'modified'],
      ] as const) {
        const value = cleanString(fields[key]);
        const date = value ? pdfjs.PDFDateString.toDateObject(value) : null;
        if (date && !Number.isNaN(date.getTime())) metadata[name] = date.toISOString();
      }

      const warnings: string[] = [];
      if (emptyPages.length > 0) {
        warnings.push(`${source}: no text on page${emptyPages.length === 1 ? '' : 's'} ${listPages(emptyPages)} (scanned pages need OCR)`);
      }
      return { source, mimeType: MIME_TYPES.pdf, ...(title ? { title } : {}), text, blocks, metadata, warnings };
    } catch (cause) {
      // pdf.js can fail on a damaged page or content stream after the document opened (fuzz tests found plain
      // Errors with empty messages there): the file is as unreadable as one that fails to open.
      if (isLoreError(cause)) throw cause;
      throw openError(source, cause);
    } finally {
      await pdf.destroy().catch(() => undefined);
    }
  },
};

function openError(source: string, cause: unknown): LoreError {
  const name = cause instanceof Error ? cause.name : '';
  if (name === 'PasswordException') {
    return new LoreError({
      code: 'ENCRYPTED_FILE',
      message: `${source} is password-protected`,
      hint: 'decrypt it first, e.g. `qpdf --decrypt --password=… in.pdf out.pdf`, and add the decrypted copy',
      subject: source,
      cause,
    });
  }
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new LoreError({
    code: 'CORRUPT_FILE',
    message: `${source} is not a readable PDF (${detail})`,
    hint: 'the file may be truncated or damaged; re-download or re-export it',
    subject: source,
    cause,
  });
}

/** Line by line: runs of spaces collapsed, lines trimmed, at most one blank line in a row. */
function tidyPageText(raw: string): string {
  return raw
    .split('\n')
    .map((line) => line.replace(/[ \t\u00a0]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function cleanString(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  // Info strings sometimes carry NULs or padding from the producing tool.
  const cleaned = value.replace(/\0/g, '').trim();
  return cleaned === '' ? undefined : cleaned;
}

function listPages(pages: number[]): string {
  return pages.length > 10 ? `${pages.slice(0, 10).join(', ')} and ${pages.length - 10} more` : pages.join(', ');
}
