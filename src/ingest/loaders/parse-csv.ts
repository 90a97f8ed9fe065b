/**
 * A small RFC 4180 parser: quoted fields, doubled quotes, CRLF or LF line ends, newlines inside quotes.
 * Lenient where real files are sloppy (a quote in the middle of an unquoted field is kept as text, an
 * unclosed quote runs to the end of the file) and reports what it forgave.
 */

export interface ParseCsvOptions {
  text: string;
  /** One character; sniffed from the first lines when absent. */
  delimiter?: string;
}

export interface ParsedCsv {
  rows: string[][];
  delimiter: string;
  /** 1-based line on which each row starts, for messages. */
  lines: number[];
  warnings: string[];
}

export function parseCsv({ text, delimiter }: ParseCsvOptions): ParsedCsv {
  const sep = delimiter ?? sniffDelimiter({ text });
  const rows: string[][] = [];
  const lines: number[] = [];
  const warnings: string[] = [];
  let row: string[] = [];
  let field = '';
  let line = 1;
  let rowLine = 1;
  let i = 0;
  const n = text.length;
  const endRow = (): void => {
    row.push(field);
    rows.push(row);
    lines.push(rowLine);
    row = [];
    field = '';
  };

  while (i < n) {
    const ch = text[i]!;
    if (ch === '"' && field === '') {
      // Quoted field: up to the closing quote; "" is a literal quote.
      const openedAt = line;
      i++;
      let closed = false;
      while (i < n) {
        const c = text[i]!;
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          closed = true;
          i++;
          break;
        }
        if (c === '\n') line++;
        field += c;
        i++;
      }
      if (!closed) warnings.push(`unclosed quote in the field starting on line ${openedAt}; read to the end of the file`);
      // Anything between the closing quote and the delimiter is kept, as spreadsheets do.
      while (i < n && text[i] !== sep && text[i] !== '\n' && text[i] !== '\r') field += text[i++];
      continue;
    }
    if (ch === sep) {
      row.push(field);
      field = '';
      i++;
      continue;
    }
    if (ch === '\r' || ch === '\n') {
      endRow();
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      rowLine = line;
      continue;
    }
    field += ch;
    i++;
  }
  // The last row, unless the file ended with a line break.
  if (field !== '' || row.length > 0) endRow();
  return { rows, delimiter: sep, lines, warnings };
}

const CANDIDATES = [',', '\t', ';', '|'];

/**
 * The candidate that splits the first lines into the same number (> 1) of fields most consistently;
 * ties go to the order above. Counting skips quoted text, so commas inside quotes do not vote.
 */
export function sniffDelimiter({ text }: { text: string }): string {
  const sample = firstLines(text, 20);
  let best = ',';
  let bestScore = 0;
  for (const candidate of CANDIDATES) {
    const counts = sample.map((l) => countOutsideQuotes(l, candidate));
    const first = counts[0] ?? 0;
    if (first === 0) continue;
    const consistent = counts.filter((c) => c === first).length / counts.length;
    const score = consistent * 10 + Math.min(first, 10) / 10;
    if (score > bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}

function firstLines(text: string, count: number): string[] {
  const out: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length && out.length < count; i++) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    else if (ch === '\n' && !quoted) {
      const line = text.slice(start, i).replace(/\r$/, '');
      if (line.trim() !== '') out.push(line);
      start = i + 1;
    }
  }
  if (out.length < count && start < text.length && text.slice(start).trim() !== '') out.push(text.slice(start));
  return out;
}

function countOutsideQuotes(line: string, sep: string): number {
  let count = 0;
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === sep && !quoted) count++;
  }
  return count;
}
