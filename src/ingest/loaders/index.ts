import type { LoadedDocument, Loader, LoaderOptions } from '../../spec/document.js';
import { LoreError } from '../../spec/errors.js';
import { csvLoader, tsvLoader } from './csv-loader.js';
import { detectType, type DocumentType } from './detect-type.js';
import { docxLoader } from './docx-loader.js';
import { htmlLoader } from './html-loader.js';
import { jsonLinesLoader, jsonLoader } from './json-loader.js';
import { markdownLoader } from './markdown-loader.js';
import { pdfLoader } from './pdf-loader.js';
import { codeLoader, textLoader } from './text-loader.js';

/**
 * The front door of ingestion: bytes in, one `LoadedDocument` out, whatever the format. Each loader's
 * `name` is the type id it reads, so dispatch is a lookup.
 */

export { csvLoader, tsvLoader } from './csv-loader.js';
export { decodeText, normalizeNewlines, type DecodeTextOptions, type DecodedText } from './detect-encoding.js';
export {
  CODE_LANGUAGES,
  DOCUMENT_TYPES,
  MIME_TYPES,
  codeLanguage,
  detectType,
  fileName,
  type DetectTypeOptions,
  type DetectedType,
  type DocumentType,
} from './detect-type.js';
export { docxLoader } from './docx-loader.js';
export { decodeHtml, findMetaCharset, htmlLoader } from './html-loader.js';
export { htmlToMarkdown, type HtmlMarkdown, type HtmlToMarkdownOptions } from './html-to-markdown.js';
export { jsonLinesLoader, jsonLoader } from './json-loader.js';
export { locateJsonError } from './locate-json-error.js';
export { findMarkdownTitle, markdownLoader } from './markdown-loader.js';
export { parseCsv, sniffDelimiter, type ParseCsvOptions, type ParsedCsv } from './parse-csv.js';
export { parseFrontMatter, type FrontMatter } from './parse-front-matter.js';
export { pdfLoader } from './pdf-loader.js';
export { codeLoader, textLoader } from './text-loader.js';

export const LOADERS: readonly Loader[] = [
  pdfLoader,
  docxLoader,
  htmlLoader,
  markdownLoader,
  csvLoader,
  tsvLoader,
  jsonLoader,
  jsonLinesLoader,
  textLoader,
  codeLoader,
];

const BY_TYPE = new Map<string, Loader>(LOADERS.map((loader) => [loader.name, loader]));

export function loaderForType({ type }: { type: DocumentType }): Loader {
  const loader = BY_TYPE.get(type);
  if (!loader) throw new LoreError({ code: 'INTERNAL', message: `No loader for document type ${type}` });
  return loader;
}

export interface LoadDocumentOptions {
  /** Absolute path or URL; its extension helps detect the type. */
  source: string;
  bytes: Uint8Array;
  options?: LoaderOptions;
}

export async function loadDocument({ source, bytes, options }: LoadDocumentOptions): Promise<LoadedDocument> {
  if (bytes.length === 0) {
    throw new LoreError({ code: 'EMPTY_FILE', message: `${source} is empty`, hint: 'there is no text to index', subject: source });
  }
  const detected = detectType({ source, bytes });
  const doc = await loaderForType({ type: detected.type }).load({ source, bytes, ...(options ? { options } : {}) });
  // A loader may refine the type (a .json file holding JSON Lines); its own answer wins.
  const type = typeof doc.metadata.type === 'string' ? doc.metadata.type : detected.type;
  return { ...doc, mimeType: doc.mimeType || detected.mimeType, metadata: { ...doc.metadata, type } };
}
