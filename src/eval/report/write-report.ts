import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { LoreError } from '../../spec/errors.js';
import { htmlReport } from './html-report.js';
import { markdownReport } from './markdown-report.js';
import { reportData, type ReportInput } from './report-data.js';

export type ReportFormat = 'html' | 'md' | 'json';

/** The format a report file's extension asks for: .html/.htm, .md/.markdown, .json. */
export function reportFormat(file: string): ReportFormat {
  const ext = extname(file).toLowerCase();
  if (ext === '.html' || ext === '.htm') return 'html';
  if (ext === '.md' || ext === '.markdown') return 'md';
  if (ext === '.json') return 'json';
  throw new LoreError({ code: 'INVALID_ARGUMENT', message: `Cannot tell the report format of "${file}"`, hint: 'end the file name in .html, .md or .json', subject: file });
}

/** The JSON report: the run, its items, and the comparison with the baseline when there is one. */
export function jsonReport(input: ReportInput): string {
  const { current, baseline, comparison } = reportData(input);
  return `${JSON.stringify({ report: 'lore-eval', version: 1, run: current.run, items: current.items, ...(baseline ? { baseline: baseline.run, comparison } : {}) }, null, 2)}\n`;
}

export function renderReport(input: ReportInput, format: ReportFormat): string {
  return format === 'html' ? htmlReport(input) : format === 'md' ? markdownReport(input) : jsonReport(input);
}

/** Writes the report in the format its file name asks for; returns the absolute path. */
export function writeReport(o: ReportInput & { file: string }): string {
  const path = resolve(o.file);
  const text = renderReport(o, reportFormat(path));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}
