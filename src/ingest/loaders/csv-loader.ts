import type { LoadedDocument, Loader, LoaderInput, TextBlock } from '../../spec/document.js';
import { LoreError } from '../../spec/errors.js';
import { decodeText } from './detect-encoding.js';
import { MIME_TYPES } from './detect-type.js';
import { parseCsv } from './parse-csv.js';

/**
 * Tables become one record per row, written `column: value` per line, because a row only means something
 * with its column names next to the values; each row is a block so a chunk never splits a record.
 */

const csvLoad =
  (type: 'csv' | 'tsv') =>
  async ({ source, bytes, options }: LoaderInput): Promise<LoadedDocument> => {
    const decoded = decodeText({ bytes, source, encoding: options?.encoding });
    const parsed = parseCsv({ text: decoded.text, ...(type === 'tsv' ? { delimiter: '\t' } : {}) });
    // Blank lines are not rows.
    const rows = parsed.rows
      .map((cells, i) => ({ cells, line: parsed.lines[i]! }))
      .filter(({ cells }) => cells.some((c) => c.trim() !== ''));
    const [header, ...data] = rows;
    if (!header || data.length === 0) {
      throw new LoreError({
        code: 'EMPTY_FILE',
        message: `${source} has no data rows${header ? ' (only a header)' : ''}`,
        subject: source,
      });
    }
    const columns = columnNames(header.cells);

    const blocks: TextBlock[] = [];
    const ragged: number[] = [];
    let text = '';
    data.forEach(({ cells }, i) => {
      const rowNumber = i + 1;
      if (cells.length !== columns.length) ragged.push(rowNumber);
      const lines: string[] = [];
      cells.forEach((value, c) => {
        const trimmed = value.trim();
        // Empty cells add tokens, not meaning.
        if (trimmed !== '') lines.push(`${columns[c] ?? `column_${c + 1}`}: ${trimmed}`);
      });
      if (lines.length === 0) return;
      const record = lines.join('\n');
      if (text !== '') text += '\n\n';
      blocks.push({ start: text.length, end: text.length + record.length, metadata: { row: rowNumber } });
      text += record;
    });

    const warnings = [...decoded.warnings, ...parsed.warnings.map((w) => `${source}: ${w}`)];
    if (ragged.length > 0) {
      const shown = ragged.slice(0, 5).join(', ') + (ragged.length > 5 ? `, … (${ragged.length} in all)` : '');
      const rowsWord = ragged.length === 1 ? 'row' : 'rows';
      warnings.push(
        `${source}: ${ragged.length} ${rowsWord} with a field count other than the header's ${columns.length} ` +
          `(data ${rowsWord} ${shown}); missing fields are left out, extra ones named column_N`,
      );
    }
    return {
      source,
      mimeType: MIME_TYPES[type],
      text,
      blocks,
      metadata: { type, encoding: decoded.encoding, delimiter: parsed.delimiter, rows: blocks.length, columns },
      warnings,
    };
  };

/** Header cells as names: trimmed, blanks named by position, duplicates numbered. */
function columnNames(header: string[]): string[] {
  const seen = new Map<string, number>();
  return header.map((cell, i) => {
    const base = cell.trim() || `column_${i + 1}`;
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    return count === 1 ? base : `${base}_${count}`;
  });
}

export const csvLoader: Loader = { name: 'csv', mimeTypes: [MIME_TYPES.csv], load: csvLoad('csv') };
export const tsvLoader: Loader = { name: 'tsv', mimeTypes: [MIME_TYPES.tsv], load: csvLoad('tsv') };
