import type { LoadedDocument, Loader, LoaderInput } from '../../spec/document.js';
import { LoreError, isLoreError } from '../../spec/errors.js';
import { decodeText, type DecodedText } from './detect-encoding.js';
import { MIME_TYPES } from './detect-type.js';
import { htmlToMarkdown } from './html-to-markdown.js';

/** HTML pages: decoded (honouring `<meta charset>`), then reduced to their main content as Markdown. */
export const htmlLoader: Loader = {
  name: 'html',
  mimeTypes: [MIME_TYPES.html, 'application/xhtml+xml'],
  load: async ({ source, bytes, options }: LoaderInput): Promise<LoadedDocument> => {
    const decoded = decodeHtml({ bytes, source, encoding: options?.encoding });
    const { markdown, title, lang } = htmlToMarkdown({ html: decoded.text });
    if (markdown.trim() === '') {
      throw new LoreError({
        code: 'EMPTY_FILE',
        message: `${source} has no text content`,
        hint: 'pages that build their content with JavaScript need to be saved after rendering',
        subject: source,
      });
    }
    return {
      source,
      mimeType: MIME_TYPES.html,
      ...(title ? { title } : {}),
      text: markdown,
      markdown: true,
      metadata: { type: 'html', encoding: decoded.encoding, ...(lang ? { lang } : {}) },
      warnings: decoded.warnings,
    };
  },
};

export interface DecodeHtmlOptions {
  bytes: Uint8Array;
  source: string;
  encoding?: string;
}

/**
 * Browsers' order, minus the HTTP header we do not have: a forced encoding, then a BOM or valid UTF-8
 * (decodeText trusts those), then the page's own `<meta charset>`, then detection.
 */
export function decodeHtml({ bytes, source, encoding }: DecodeHtmlOptions): DecodedText {
  if (encoding !== undefined) return decodeText({ bytes, source, encoding });
  const declared = findMetaCharset({ bytes });
  // A BOM or valid UTF-8 beats the declaration, as in browsers; pages often keep a stale meta tag.
  if (declared === undefined || isUnicodeLabel(declared) || hasBom(bytes) || isUtf8(bytes)) return decodeText({ bytes, source });
  try {
    return decodeText({ bytes, source, encoding: declared });
  } catch (error) {
    if (!isLoreError(error, 'ENCODING_ERROR') && !isLoreError(error, 'INVALID_ARGUMENT')) throw error;
    const sniffed = decodeText({ bytes, source });
    return { ...sniffed, warnings: [...sniffed.warnings, `${source}: declares charset ${declared} but does not decode as it`] };
  }
}

function hasBom(bytes: Uint8Array): boolean {
  const [a, b, c] = bytes;
  return (a === 0xef && b === 0xbb && c === 0xbf) || (a === 0xff && b === 0xfe) || (a === 0xfe && b === 0xff);
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** The charset of `<meta charset=…>` or `<meta http-equiv="Content-Type" content="…; charset=…">` in the first 4 KB. */
export function findMetaCharset({ bytes }: { bytes: Uint8Array }): string | undefined {
  // Latin-1 keeps the ASCII markup readable whatever the real encoding is.
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 4096));
  for (const tag of head.match(/<meta\b[^>]*>/gi) ?? []) {
    const direct = /\bcharset\s*=\s*["']?\s*([\w.:-]+)/i.exec(tag);
    if (direct) return direct[1]!.toLowerCase();
  }
  return undefined;
}

function isUnicodeLabel(label: string): boolean {
  return /^(utf-?8|utf-?16(le|be)?|unicode)$/i.test(label);
}
