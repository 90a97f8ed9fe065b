import { unzipSync } from 'fflate';
import { LoreError } from '../../spec/errors.js';
import { decodeText } from './detect-encoding.js';

/**
 * Decides which loader reads a file. Content beats the name where the content is unambiguous (magic
 * numbers, an HTML doctype, JSON that parses), because files are misnamed more often than one would hope;
 * the extension decides the rest. Formats Lore cannot read are refused here, with a message naming them.
 */

export const DOCUMENT_TYPES = ['pdf', 'docx', 'html', 'markdown', 'csv', 'tsv', 'json', 'jsonl', 'text', 'code'] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

export interface DetectTypeOptions {
  /** File path or URL; only its last segment's extension is used. */
  source: string;
  bytes: Uint8Array;
}

export interface DetectedType {
  type: DocumentType;
  mimeType: string;
  /** For `code`: the language, from the extension (`typescript`, `python`, …). */
  language?: string;
}

export const MIME_TYPES: Record<DocumentType, string> = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  html: 'text/html',
  markdown: 'text/markdown',
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
  json: 'application/json',
  jsonl: 'application/jsonl',
  text: 'text/plain',
  code: 'text/plain',
};

const EXTENSION_TYPES: Record<string, DocumentType> = {
  pdf: 'pdf',
  docx: 'docx',
  html: 'html',
  htm: 'html',
  xhtml: 'html',
  md: 'markdown',
  markdown: 'markdown',
  mdx: 'markdown',
  mdown: 'markdown',
  mkd: 'markdown',
  csv: 'csv',
  tsv: 'tsv',
  tab: 'tsv',
  json: 'json',
  jsonl: 'jsonl',
  ndjson: 'jsonl',
  txt: 'text',
  text: 'text',
  log: 'text',
  rst: 'text',
  adoc: 'text',
  org: 'text',
};

/** Extension → language id, for `code` documents. */
export const CODE_LANGUAGES: Record<string, string> = {
  ts: 'typescript',
  tsx: 'typescript',
  mts: 'typescript',
  cts: 'typescript',
  js: 'javascript',
  jsx: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  py: 'python',
  pyi: 'python',
  go: 'go',
  rs: 'rust',
  java: 'java',
  kt: 'kotlin',
  kts: 'kotlin',
  scala: 'scala',
  groovy: 'groovy',
  gradle: 'groovy',
  c: 'c',
  h: 'c',
  cpp: 'cpp',
  cc: 'cpp',
  cxx: 'cpp',
  hpp: 'cpp',
  hh: 'cpp',
  hxx: 'cpp',
  cs: 'csharp',
  m: 'objective-c',
  mm: 'objective-c',
  swift: 'swift',
  rb: 'ruby',
  php: 'php',
  pl: 'perl',
  pm: 'perl',
  lua: 'lua',
  r: 'r',
  jl: 'julia',
  dart: 'dart',
  ex: 'elixir',
  exs: 'elixir',
  erl: 'erlang',
  hs: 'haskell',
  ml: 'ocaml',
  clj: 'clojure',
  zig: 'zig',
  nim: 'nim',
  sh: 'shell',
  bash: 'shell',
  zsh: 'shell',
  fish: 'shell',
  ps1: 'powershell',
  bat: 'batch',
  cmd: 'batch',
  sql: 'sql',
  yaml: 'yaml',
  yml: 'yaml',
  toml: 'toml',
  ini: 'ini',
  cfg: 'ini',
  conf: 'ini',
  properties: 'properties',
  xml: 'xml',
  css: 'css',
  scss: 'scss',
  sass: 'sass',
  less: 'less',
  vue: 'vue',
  svelte: 'svelte',
  graphql: 'graphql',
  gql: 'graphql',
  proto: 'protobuf',
  tf: 'hcl',
  hcl: 'hcl',
  tex: 'latex',
  diff: 'diff',
  patch: 'diff',
};

/** File names without a telling extension that are code all the same. */
const CODE_FILE_NAMES: Record<string, string> = {
  dockerfile: 'dockerfile',
  makefile: 'makefile',
  gnumakefile: 'makefile',
  rakefile: 'ruby',
  gemfile: 'ruby',
  justfile: 'just',
};

/** Extensions of formats Lore does not read, with what to tell the user. */
const UNSUPPORTED_EXTENSIONS: Record<string, string> = {
  doc: 'legacy Word .doc files are not supported; save it as .docx',
  xls: 'spreadsheets are not supported; export the sheet as CSV',
  xlsx: 'spreadsheets are not supported; export the sheet as CSV',
  ods: 'spreadsheets are not supported; export the sheet as CSV',
  ppt: 'presentations are not supported; export them as PDF',
  pptx: 'presentations are not supported; export them as PDF',
  odp: 'presentations are not supported; export them as PDF',
  odt: 'OpenDocument text is not supported; save it as .docx',
  rtf: 'RTF is not supported; save it as .docx or plain text',
  epub: 'EPUB is not supported',
  svg: 'images are not supported',
};

export function detectType({ source, bytes }: DetectTypeOptions): DetectedType {
  const { extension } = fileName({ source });

  const magic = detectMagic(bytes, source, extension);
  if (magic) return withMime(magic);

  const unsupported = UNSUPPORTED_EXTENSIONS[extension];
  if (unsupported) {
    throw new LoreError({ code: 'UNSUPPORTED_FORMAT', message: `Cannot read ${source}: ${unsupported}`, subject: source });
  }

  const language = codeLanguage({ source });
  if (language) return { type: 'code', mimeType: `text/x-${language}`, language };

  const byExtension = EXTENSION_TYPES[extension];
  // A name that says PDF or DOCX over other content: the loader reports the file as corrupt.
  if (byExtension === 'pdf' || byExtension === 'docx' || byExtension === 'csv' || byExtension === 'tsv') {
    return withMime(byExtension);
  }
  // The JSON loaders tell JSON from JSON Lines themselves; parsing here too would double the work.
  if (byExtension === 'json' || byExtension === 'jsonl') return withMime(byExtension);
  if (looksLikeHtml(bytes)) return withMime('html');
  if (byExtension === 'html' || byExtension === 'markdown') return withMime(byExtension);
  // Plain text, or an extension we do not know: JSON content is still JSON.
  return withMime(sniffJson(bytes, source) ?? 'text');
}

/** The programming language of a source file, from its extension or well-known name; `undefined` if not code. */
export function codeLanguage({ source }: { source: string }): string | undefined {
  const { extension, baseName } = fileName({ source });
  return CODE_LANGUAGES[extension] ?? (extension === '' ? CODE_FILE_NAMES[baseName.toLowerCase()] : undefined);
}

function withMime(type: DocumentType): DetectedType {
  return { type, mimeType: MIME_TYPES[type] };
}

/** The lower-case extension (without the dot) and base name of a path or URL. */
export function fileName({ source }: { source: string }): { extension: string; baseName: string } {
  let path = source;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) {
    try {
      path = new URL(source).pathname;
    } catch {
      // Not a parsable URL after all: use it as a path.
    }
  }
  const baseName = path.split(/[\\/]/).pop() ?? '';
  const dot = baseName.lastIndexOf('.');
  // ".bashrc" has no extension; "notes." neither.
  const extension = dot > 0 ? baseName.slice(dot + 1).toLowerCase() : '';
  return { extension, baseName };
}

const startsWith = (bytes: Uint8Array, prefix: number[], at = 0): boolean =>
  prefix.every((byte, i) => bytes[at + i] === byte);

const ascii = (text: string): number[] => [...text].map((ch) => ch.charCodeAt(0));

interface MagicRule {
  test: (bytes: Uint8Array) => boolean;
  name: string;
  code: 'UNSUPPORTED_FORMAT' | 'BINARY_FILE';
  hint: string;
}

const IMAGE_HINT = 'images are not supported; extract their text with OCR first';
const ARCHIVE_HINT = 'archives are not supported; extract the files and add them instead';
const BINARY_HINT = 'exclude it from the files to ingest';

const MAGIC_RULES: MagicRule[] = [
  { name: 'a PNG image', code: 'UNSUPPORTED_FORMAT', hint: IMAGE_HINT, test: (b) => startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
  { name: 'a JPEG image', code: 'UNSUPPORTED_FORMAT', hint: IMAGE_HINT, test: (b) => startsWith(b, [0xff, 0xd8, 0xff]) },
  { name: 'a GIF image', code: 'UNSUPPORTED_FORMAT', hint: IMAGE_HINT, test: (b) => startsWith(b, ascii('GIF87a')) || startsWith(b, ascii('GIF89a')) },
  { name: 'a WebP image', code: 'UNSUPPORTED_FORMAT', hint: IMAGE_HINT, test: (b) => startsWith(b, ascii('RIFF')) && startsWith(b, ascii('WEBP'), 8) },
  { name: 'a TIFF image', code: 'UNSUPPORTED_FORMAT', hint: IMAGE_HINT, test: (b) => startsWith(b, [0x49, 0x49, 0x2a, 0x00]) || startsWith(b, [0x4d, 0x4d, 0x00, 0x2a]) },
  { name: 'an ICO image', code: 'UNSUPPORTED_FORMAT', hint: IMAGE_HINT, test: (b) => startsWith(b, [0x00, 0x00, 0x01, 0x00]) },
  { name: 'a gzip archive', code: 'UNSUPPORTED_FORMAT', hint: ARCHIVE_HINT, test: (b) => startsWith(b, [0x1f, 0x8b]) },
  { name: 'a 7-Zip archive', code: 'UNSUPPORTED_FORMAT', hint: ARCHIVE_HINT, test: (b) => startsWith(b, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]) },
  { name: 'a RAR archive', code: 'UNSUPPORTED_FORMAT', hint: ARCHIVE_HINT, test: (b) => startsWith(b, ascii('Rar!\x1a\x07')) },
  { name: 'an xz archive', code: 'UNSUPPORTED_FORMAT', hint: ARCHIVE_HINT, test: (b) => startsWith(b, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) },
  { name: 'a zstd archive', code: 'UNSUPPORTED_FORMAT', hint: ARCHIVE_HINT, test: (b) => startsWith(b, [0x28, 0xb5, 0x2f, 0xfd]) },
  {
    name: 'a legacy Microsoft Office file (.doc/.xls/.ppt)',
    code: 'UNSUPPORTED_FORMAT',
    hint: 'save it in a current format (.docx, or PDF)',
    test: (b) => startsWith(b, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
  },
  { name: 'an SQLite database', code: 'UNSUPPORTED_FORMAT', hint: 'export the data as CSV or JSON', test: (b) => startsWith(b, ascii('SQLite format 3\0')) },
  { name: 'an MP4/MOV video', code: 'UNSUPPORTED_FORMAT', hint: 'audio and video are not supported', test: (b) => startsWith(b, ascii('ftyp'), 4) },
  { name: 'an MP3 file', code: 'UNSUPPORTED_FORMAT', hint: 'audio and video are not supported', test: (b) => startsWith(b, ascii('ID3')) },
  { name: 'an Ogg file', code: 'UNSUPPORTED_FORMAT', hint: 'audio and video are not supported', test: (b) => startsWith(b, ascii('OggS')) },
  { name: 'an ELF executable', code: 'BINARY_FILE', hint: BINARY_HINT, test: (b) => startsWith(b, [0x7f, 0x45, 0x4c, 0x46]) },
  { name: 'a Windows executable', code: 'BINARY_FILE', hint: BINARY_HINT, test: (b) => startsWith(b, ascii('MZ')) && b.length > 64 && b.includes(0) },
  {
    name: 'a Mach-O executable',
    code: 'BINARY_FILE',
    hint: BINARY_HINT,
    test: (b) =>
      startsWith(b, [0xfe, 0xed, 0xfa, 0xce]) ||
      startsWith(b, [0xfe, 0xed, 0xfa, 0xcf]) ||
      startsWith(b, [0xce, 0xfa, 0xed, 0xfe]) ||
      startsWith(b, [0xcf, 0xfa, 0xed, 0xfe]),
  },
  { name: 'a WebAssembly module', code: 'BINARY_FILE', hint: BINARY_HINT, test: (b) => startsWith(b, [0x00, 0x61, 0x73, 0x6d]) },
];

function detectMagic(bytes: Uint8Array, source: string, extension: string): DocumentType | undefined {
  // The PDF header may follow some junk; readers look within the first kilobyte.
  if (indexOfAscii(bytes.subarray(0, 1024), '%PDF-') >= 0) return 'pdf';
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06])) {
    return detectZip(bytes, source, extension);
  }
  for (const rule of MAGIC_RULES) {
    if (!rule.test(bytes)) continue;
    throw new LoreError({ code: rule.code, message: `${source} is ${rule.name}`, hint: rule.hint, subject: source });
  }
  return undefined;
}

/** A DOCX is a ZIP holding `word/document.xml`; the central directory names the entries without inflating any. */
function detectZip(bytes: Uint8Array, source: string, extension: string): DocumentType {
  const names: string[] = [];
  try {
    unzipSync(bytes, {
      filter: (file) => {
        names.push(file.name);
        return false;
      },
    });
  } catch (cause) {
    // A damaged DOCX should be reported as such, not as "a ZIP archive".
    if (extension === 'docx') return 'docx';
    throw new LoreError({ code: 'CORRUPT_FILE', message: `${source} is a damaged ZIP archive`, subject: source, cause });
  }
  if (names.includes('word/document.xml')) return 'docx';
  const kind = names.some((n) => n.startsWith('xl/'))
    ? 'an Excel workbook (.xlsx); export the sheet as CSV'
    : names.some((n) => n.startsWith('ppt/'))
      ? 'a PowerPoint presentation (.pptx); export it as PDF'
      : names.includes('mimetype') && names.some((n) => n.endsWith('.opf'))
        ? 'an EPUB book, which is not supported'
        : names.includes('mimetype')
          ? 'an OpenDocument file; save it as .docx'
          : 'a ZIP archive; extract the files and add them instead';
  // A .docx name over another ZIP is a broken document rather than an unsupported one.
  if (extension === 'docx') {
    throw new LoreError({
      code: 'CORRUPT_FILE',
      message: `${source} is named .docx but has no word/document.xml`,
      hint: 'open and re-save it in Word or LibreOffice',
      subject: source,
    });
  }
  throw new LoreError({ code: 'UNSUPPORTED_FORMAT', message: `${source} is ${kind}`, subject: source });
}

function indexOfAscii(bytes: Uint8Array, text: string): number {
  const first = text.charCodeAt(0);
  for (let i = bytes.indexOf(first); i >= 0 && i <= bytes.length - text.length; i = bytes.indexOf(first, i + 1)) {
    if (startsWith(bytes, ascii(text), i)) return i;
  }
  return -1;
}

/**
 * The start of the file as text, for sniffing: UTF-16 (by BOM or NUL pattern) is decoded, anything else is
 * read as Latin-1, which keeps the ASCII markup of UTF-8 and legacy encodings intact.
 */
function textPrefix(bytes: Uint8Array, length = 2048): string {
  const head = bytes.subarray(0, length);
  let utf16: 'utf-16le' | 'utf-16be' | undefined;
  if (head[0] === 0xff && head[1] === 0xfe) utf16 = 'utf-16le';
  else if (head[0] === 0xfe && head[1] === 0xff) utf16 = 'utf-16be';
  else if (head.length >= 4 && head[0] !== 0 && head[1] === 0 && head[3] === 0) utf16 = 'utf-16le';
  else if (head.length >= 4 && head[0] === 0 && head[2] === 0 && head[1] !== 0) utf16 = 'utf-16be';
  if (utf16) return new TextDecoder(utf16).decode(head.subarray(0, head.length & ~1));
  return new TextDecoder('latin1').decode(head);
}

/** `<!doctype html>` or `<html>` at the start, after a BOM, whitespace, comments or an XML declaration. */
function looksLikeHtml(bytes: Uint8Array): boolean {
  let text = textPrefix(bytes).replace(/^[\ufeff\u00ef\u00bb\u00bf\s]+/, '');
  for (;;) {
    const skipped = text.replace(/^(<!--[\s\S]*?-->|<\?xml[\s\S]*?\?>)\s*/i, '');
    if (skipped === text) break;
    text = skipped;
  }
  return /^<(!doctype\s+html|html[\s>]|head[\s>]|body[\s>])/i.test(text);
}

/** `json` when the whole text parses, `jsonl` when every non-blank line does; `undefined` otherwise. */
function sniffJson(bytes: Uint8Array, source: string): 'json' | 'jsonl' | undefined {
  const first = textPrefix(bytes, 256).replace(/^[\ufeff\u00ef\u00bb\u00bf\s]+/, '')[0];
  if (first !== '{' && first !== '[') return undefined;
  let text: string;
  try {
    text = decodeText({ bytes, source }).text;
  } catch {
    // Undecodable: let the loader report it with the proper error.
    return undefined;
  }
  try {
    JSON.parse(text);
    return 'json';
  } catch {
    // Not one JSON value; maybe JSON Lines.
  }
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  if (lines.length < 2) return undefined;
  try {
    for (const line of lines) JSON.parse(line);
    return 'jsonl';
  } catch {
    return undefined;
  }
}
