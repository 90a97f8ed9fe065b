/**
 * Writes small but real PDF files for the loader tests, so no binary fixture has to live in the repository.
 * English text uses the standard Type1 Helvetica font; Chinese text uses a Type0 font (Identity-H, a
 * CIDFontType2 descendant with no embedded font program) whose /ToUnicode CMap lets text extraction
 * recover the characters. Offsets in the xref table are counted in bytes, as the format demands.
 */

export interface PdfPageSpec {
  /** One string per line of text on the page; an empty list makes a page without text (a "scanned" page). */
  lines: string[];
  /** `latin` writes with Helvetica (ASCII only), `cjk` with the Type0 font (any BMP text). */
  font?: 'latin' | 'cjk';
}

export interface MakePdfOptions {
  pages: PdfPageSpec[];
  /** Written to the document information dictionary (ASCII, or any BMP text as UTF-16BE). */
  title?: string;
  /** Adds a standard-security /Encrypt dictionary whose user password is not empty. */
  encrypted?: boolean;
}

const latin1 = (text: string): Uint8Array => Uint8Array.from(text, (ch) => ch.charCodeAt(0) & 0xff);

const hex4 = (code: number): string => code.toString(16).toUpperCase().padStart(4, '0');

/** A PDF literal string: backslash, parentheses escaped. */
function literal(text: string): string {
  return `(${text.replace(/[\\()]/g, (ch) => `\\${ch}`)})`;
}

/** A PDF text string: ASCII as a literal, anything else as UTF-16BE with a BOM (hex string). */
function textString(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return literal(text);
  let out = '<FEFF';
  for (let i = 0; i < text.length; i++) out += hex4(text.charCodeAt(i));
  return `${out}>`;
}

export function makePdf({ pages, title, encrypted = false }: MakePdfOptions): Uint8Array {
  // CIDs for the Type0 font: one per distinct character, in order of first use.
  const cids = new Map<string, number>();
  for (const page of pages) {
    if (page.font !== 'cjk') continue;
    for (const line of page.lines) {
      for (const ch of line) {
        if (ch.length !== 1) throw new Error(`makePdf: only BMP characters are supported, got ${ch}`);
        if (!cids.has(ch)) cids.set(ch, cids.size + 1);
      }
    }
  }

  const objects: string[] = [];
  const add = (body: string): number => {
    objects.push(body);
    return objects.length;
  };
  const stream = (dict: string, data: string): string =>
    `<< ${dict} /Length ${latin1(data).length} >>\nstream\n${data}\nendstream`;

  const catalog = add('');
  const pagesObj = add('');
  const helvetica = add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');

  const bfchars = [...cids].map(([ch, cid]) => `<${hex4(cid)}> <${hex4(ch.charCodeAt(0))}>`);
  const toUnicodeData = [
    '/CIDInit /ProcSet findresource begin',
    '12 dict begin',
    'begincmap',
    '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def',
    '/CMapName /Lore-UCS def',
    '/CMapType 2 def',
    '1 begincodespacerange',
    '<0000> <FFFF>',
    'endcodespacerange',
    // bfchar sections hold at most 100 entries each.
    ...chunk(bfchars, 100).flatMap((group) => [`${group.length} beginbfchar`, ...group, 'endbfchar']),
    'endcmap',
    'CMapName currentdict /CMap defineresource pop',
    'end',
    'end',
  ].join('\n');
  const toUnicode = add(stream('', toUnicodeData));
  const descriptor = add(
    '<< /Type /FontDescriptor /FontName /STSong-Light /Flags 4 /FontBBox [0 -200 1000 900] /ItalicAngle 0 ' +
      '/Ascent 880 /Descent -120 /CapHeight 880 /StemV 80 >>',
  );
  const cidFont = add(
    '<< /Type /Font /Subtype /CIDFontType2 /BaseFont /STSong-Light ' +
      '/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> ' +
      `/FontDescriptor ${descriptor} 0 R /DW 1000 /CIDToGIDMap /Identity >>`,
  );
  const type0 = add(
    `<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /Identity-H ` +
      `/DescendantFonts [${cidFont} 0 R] /ToUnicode ${toUnicode} 0 R >>`,
  );

  const pageRefs: number[] = [];
  for (const page of pages) {
    const ops: string[] = [];
    if (page.lines.length > 0) {
      const cjk = page.font === 'cjk';
      ops.push('BT', `/${cjk ? 'F2' : 'F1'} 14 Tf`, '18 TL', '72 720 Td');
      for (const line of page.lines) {
        const shown = cjk ? `<${[...line].map((ch) => hex4(cids.get(ch) ?? 0)).join('')}>` : literal(line);
        ops.push(`${shown} Tj`, 'T*');
      }
      ops.push('ET');
    }
    const content = add(stream('', ops.join('\n')));
    pageRefs.push(
      add(
        `<< /Type /Page /Parent ${pagesObj} 0 R /MediaBox [0 0 612 792] /Contents ${content} 0 R ` +
          `/Resources << /Font << /F1 ${helvetica} 0 R /F2 ${type0} 0 R >> >> >>`,
      ),
    );
  }
  objects[catalog - 1] = `<< /Type /Catalog /Pages ${pagesObj} 0 R >>`;
  objects[pagesObj - 1] = `<< /Type /Pages /Kids [${pageRefs.map((n) => `${n} 0 R`).join(' ')}] /Count ${pageRefs.length} >>`;

  const info = title === undefined ? undefined : add(`<< /Title ${textString(title)} /Producer (Lore tests) >>`);
  // Standard security handler, revision 2: with random /O and /U the empty user password does not match.
  const encrypt = encrypted
    ? add(`<< /Filter /Standard /V 1 /R 2 /Length 40 /P -44 /O <${'7a'.repeat(32)}> /U <${'3c'.repeat(32)}> >>`)
    : undefined;

  // Serialise as bytes: the header comment carries high bytes so tools treat the file as binary.
  const parts: Uint8Array[] = [latin1('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n')];
  let offset = parts[0]!.length;
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(offset);
    const bytes = latin1(`${i + 1} 0 obj\n${body}\nendobj\n`);
    parts.push(bytes);
    offset += bytes.length;
  });
  const xrefAt = offset;
  const xref = [
    'xref',
    `0 ${objects.length + 1}`,
    '0000000000 65535 f ',
    ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n `),
  ].join('\n');
  const trailerEntries = [`/Size ${objects.length + 1}`, `/Root ${catalog} 0 R`];
  if (info !== undefined) trailerEntries.push(`/Info ${info} 0 R`);
  if (encrypt !== undefined) trailerEntries.push(`/Encrypt ${encrypt} 0 R`);
  trailerEntries.push(`/ID [<${'0123456789abcdef'.repeat(2)}> <${'0123456789abcdef'.repeat(2)}>]`);
  parts.push(latin1(`${xref}\ntrailer\n<< ${trailerEntries.join(' ')} >>\nstartxref\n${xrefAt}\n%%EOF\n`));

  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
