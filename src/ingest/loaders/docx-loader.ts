import { strFromU8, unzipSync } from 'fflate';
import mammoth from 'mammoth';
import type { LoadedDocument, Loader, LoaderInput, Metadata } from '../../spec/document.js';
import { LoreError } from '../../spec/errors.js';
import { MIME_TYPES } from './detect-type.js';
import { htmlToMarkdown } from './html-to-markdown.js';

/**
 * Word documents: mammoth turns the paragraph styles into HTML headings, lists and tables, and the HTML
 * loader's converter makes that Markdown, so a DOCX gets the same heading paths as a web page.
 */

const STYLE_MAP = [
  // mammoth already maps Heading 1–6 by name and by id; titles are headings too.
  "p[style-name='Title'] => h1:fresh",
  'p.Title => h1:fresh',
  "p[style-name='Subtitle'] => h2:fresh",
  'p.Subtitle => h2:fresh',
];

/** Images are dropped anyway; not reading them saves decoding every embedded picture. */
const IGNORE_IMAGES = mammoth.images.imgElement(async () => ({ src: '' }));

export const docxLoader: Loader = {
  name: 'docx',
  mimeTypes: [MIME_TYPES.docx],
  load: async ({ source, bytes }: LoaderInput): Promise<LoadedDocument> => {
    refuseZipBomb({ source, bytes });
    let result: Awaited<ReturnType<typeof mammoth.convertToHtml>>;
    try {
      result = await mammoth.convertToHtml(
        { buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) },
        { styleMap: STYLE_MAP, convertImage: IGNORE_IMAGES, externalFileAccess: false },
      );
    } catch (cause) {
      throw new LoreError({
        code: 'CORRUPT_FILE',
        message: `${source} is not a readable DOCX file (${cause instanceof Error ? cause.message : String(cause)})`,
        hint: 'open and re-save it in Word or LibreOffice',
        subject: source,
        cause,
      });
    }
    const { markdown, title: firstHeading } = htmlToMarkdown({ html: result.value });
    if (markdown.trim() === '') {
      throw new LoreError({ code: 'EMPTY_FILE', message: `${source} has no text`, subject: source });
    }
    const properties = readCoreProperties(bytes);
    const title = properties.title ?? firstHeading;
    const metadata: Metadata = { type: 'docx' };
    if (properties.author) metadata.author = properties.author;
    if (properties.created) metadata.created = properties.created;
    if (properties.modified) metadata.modified = properties.modified;
    // mammoth reports every unknown or undefined style; the text is there all the same, so those are noise.
    // Other messages (unsupported content) are kept, a few distinct ones.
    const messages = [...new Set(result.messages.map((m) => m.message))].filter((m) => !/\bstyle\b/i.test(m));
    const warnings = messages.slice(0, 5).map((m) => `${source}: ${m}`);
    if (messages.length > 5) warnings.push(`${source}: ${messages.length - 5} more conversion messages`);
    return { source, mimeType: MIME_TYPES.docx, ...(title ? { title } : {}), text: markdown, markdown: true, metadata, warnings };
  },
};

/**
 * Most a DOCX may expand to. Real documents expand to a few megabytes of XML (images are not inflated);
 * a 400 KB zip bomb declaring 400 MB made mammoth use 1.2 GB of memory (fuzz tests), so the sizes the
 * archive declares are summed from its central directory first, without inflating anything.
 */
const MAX_UNCOMPRESSED_BYTES = 256 * 1024 * 1024;

function refuseZipBomb(options: { source: string; bytes: Uint8Array }): void {
  let total = 0;
  try {
    unzipSync(options.bytes, {
      filter: (file) => {
        total += file.originalSize;
        return false;
      },
    });
  } catch {
    return; // not a readable zip: mammoth reports that with its own message
  }
  if (total > MAX_UNCOMPRESSED_BYTES) {
    throw new LoreError({
      code: 'FILE_TOO_LARGE',
      message: `${options.source} expands to ${Math.round(total / 1024 / 1024)} MB when unzipped, over the ${MAX_UNCOMPRESSED_BYTES / 1024 / 1024} MB limit for a DOCX`,
      hint: 'a document this large is usually a zip bomb; if it is real, split it or convert it to text first',
      subject: options.source,
    });
  }
}

interface CoreProperties {
  title?: string;
  author?: string;
  created?: string;
  modified?: string;
}

/** Title, author and dates from `docProps/core.xml`; a document without them is still fine. */
function readCoreProperties(bytes: Uint8Array): CoreProperties {
  let xml: string;
  try {
    const files = unzipSync(bytes, { filter: (file) => file.name === 'docProps/core.xml' });
    const core = files['docProps/core.xml'];
    if (!core) return {};
    xml = strFromU8(core);
  } catch {
    return {};
  }
  const field = (tag: string): string | undefined => {
    const match = new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`).exec(xml);
    const value = match?.[1] ? decodeXmlEntities(match[1]).trim() : '';
    return value === '' ? undefined : value;
  };
  const out: CoreProperties = {};
  const title = field('dc:title');
  const author = field('dc:creator');
  const created = field('dcterms:created');
  const modified = field('dcterms:modified');
  if (title) out.title = title;
  if (author) out.author = author;
  if (created) out.created = created;
  if (modified) out.modified = modified;
  return out;
}

function decodeXmlEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, entity: string) => {
    const lower = entity.toLowerCase();
    if (lower.startsWith('#x')) return String.fromCodePoint(Number.parseInt(lower.slice(2), 16));
    if (lower.startsWith('#')) return String.fromCodePoint(Number.parseInt(lower.slice(1), 10));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[lower] ?? _;
  });
}
