import { strToU8, zipSync } from 'fflate';

/**
 * Writes a minimal but valid DOCX (the parts Word itself needs) for the loader tests: paragraphs with
 * optional paragraph styles, plus `word/styles.xml` declaring the heading styles by their built-in names,
 * as Word does.
 */

export interface DocxParagraph {
  text: string;
  /** A paragraph style id: `Heading1`, `Heading2`, `Title`, … */
  style?: string;
}

export interface MakeDocxOptions {
  paragraphs: DocxParagraph[];
  /** Written to docProps/core.xml as dc:title. */
  title?: string;
  /** Leave out word/styles.xml, so mammoth has only the style ids to go by. */
  withoutStyles?: boolean;
  /** Rows of cells, appended as a table after the paragraphs. */
  table?: string[][];
}

const escapeXml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';

function paragraph({ text, style }: DocxParagraph): string {
  const props = style ? `<w:pPr><w:pStyle w:val="${style}"/></w:pPr>` : '';
  return `<w:p>${props}<w:r><w:t xml:space="preserve">${escapeXml(text)}</w:t></w:r></w:p>`;
}

export function makeDocx({ paragraphs, title, withoutStyles = false, table }: MakeDocxOptions): Uint8Array {
  const tableXml = table
    ? `<w:tbl>${table.map((row) => `<w:tr>${row.map((cell) => `<w:tc>${paragraph({ text: cell })}</w:tc>`).join('')}</w:tr>`).join('')}</w:tbl>`
    : '';
  const documentXml =
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n` +
    `<w:document xmlns:w="${W}"><w:body>${paragraphs.map(paragraph).join('')}${tableXml}<w:sectPr/></w:body></w:document>`;
  const styleNames: Record<string, string> = {
    Heading1: 'heading 1',
    Heading2: 'heading 2',
    Heading3: 'heading 3',
    Title: 'Title',
  };
  const stylesXml =
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:styles xmlns:w="${W}">` +
    `<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>` +
    Object.entries(styleNames)
      .map(([id, name]) => `<w:style w:type="paragraph" w:styleId="${id}"><w:name w:val="${name}"/><w:basedOn w:val="Normal"/></w:style>`)
      .join('') +
    `</w:styles>`;
  const files: Record<string, Uint8Array> = {
    '[Content_Types].xml': strToU8(
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
        `<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
        `<Default Extension="xml" ContentType="application/xml"/>` +
        `<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>` +
        (withoutStyles ? '' : `<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>`) +
        (title === undefined ? '' : `<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>`) +
        `</Types>`,
    ),
    '_rels/.rels': strToU8(
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
        `<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>` +
        (title === undefined ? '' : `<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>`) +
        `</Relationships>`,
    ),
    'word/_rels/document.xml.rels': strToU8(
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
        (withoutStyles ? '' : `<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>`) +
        `</Relationships>`,
    ),
    'word/document.xml': strToU8(documentXml),
  };
  if (!withoutStyles) files['word/styles.xml'] = strToU8(stylesXml);
  if (title !== undefined) {
    files['docProps/core.xml'] = strToU8(
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" ` +
        `xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
        `<dc:title>${escapeXml(title)}</dc:title><dc:creator>Lore Tests</dc:creator>` +
        `<dcterms:created xsi:type="dcterms:W3CDTF">2024-01-15T10:00:00Z</dcterms:created></cp:coreProperties>`,
    );
  }
  return zipSync(files);
}
