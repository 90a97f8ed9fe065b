import { readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { LoreError } from '../spec/errors.js';

/**
 * Reads a retrieval test collection in the BEIR layout (`corpus.jsonl`, `queries.jsonl`,
 * `qrels/<split>.tsv`), the format retrieval tooling already speaks, so Lore's figures are comparable with
 * published BEIR numbers. Files are read in place, whole: BEIR sets we evaluate on fit in memory.
 */

export interface BeirDocument {
  id: string;
  title: string;
  text: string;
}

export interface BeirQuery {
  id: string;
  text: string;
}

export interface BeirCounts {
  documents: number;
  /** Queries kept: present in queries.jsonl and with at least one judgment of gain > 0. */
  queries: number;
  /** Lines of queries.jsonl, before dropping queries without relevant judgments. */
  queriesInFile: number;
  /** Judgment rows of the qrels file (after the header). */
  judgments: number;
  /** Judgments with gain > 0 of the kept queries. */
  relevantJudgments: number;
  /** Judgments of kept queries naming a document absent from the corpus; kept, as trec_eval counts them. */
  judgmentsOutsideCorpus: number;
}

export interface BeirDataset {
  /** The folder name, e.g. `cranfield`. */
  name: string;
  corpus: BeirDocument[];
  /** Only queries with at least one relevant (gain > 0) judgment, in file order. */
  queries: BeirQuery[];
  /** queryId → (docId → gain), for the kept queries only; gain-0 judgments are kept too. */
  qrels: Map<string, Map<string, number>>;
  counts: BeirCounts;
}

export interface ReadBeirDatasetOptions {
  dir: string;
  /** Which `qrels/<split>.tsv` to read. Default `test`. */
  split?: string;
}

export async function readBeirDataset(options: ReadBeirDatasetOptions): Promise<BeirDataset> {
  const dir = resolve(options.dir);
  await assertDirectory(dir);
  const corpusFile = join(dir, 'corpus.jsonl');
  const queriesFile = join(dir, 'queries.jsonl');
  const qrelsFile = join(dir, 'qrels', `${options.split ?? 'test'}.tsv`);
  const corpus = parseCorpus({ file: corpusFile, content: await readText(corpusFile) });
  const allQueries = parseQueries({ file: queriesFile, content: await readText(queriesFile) });
  const judged = parseQrels({ file: qrelsFile, content: await readText(qrelsFile) });
  return assemble({ name: basename(dir), corpus, allQueries, judged });
}

interface AssembleOptions {
  name: string;
  corpus: BeirDocument[];
  allQueries: BeirQuery[];
  judged: ParsedQrels;
}

function assemble(options: AssembleOptions): BeirDataset {
  const { corpus, allQueries, judged } = options;
  const docIds = new Set(corpus.map((d) => d.id));
  const queries = allQueries.filter((q) => [...(judged.qrels.get(q.id)?.values() ?? [])].some((g) => g > 0));
  const qrels = new Map<string, Map<string, number>>();
  let relevantJudgments = 0;
  let judgmentsOutsideCorpus = 0;
  for (const q of queries) {
    const judgments = judged.qrels.get(q.id) ?? new Map<string, number>();
    qrels.set(q.id, judgments);
    for (const [docId, gain] of judgments) {
      if (gain > 0) relevantJudgments++;
      if (!docIds.has(docId)) judgmentsOutsideCorpus++;
    }
  }
  const counts: BeirCounts = {
    documents: corpus.length,
    queries: queries.length,
    queriesInFile: allQueries.length,
    judgments: judged.rows,
    relevantJudgments,
    judgmentsOutsideCorpus,
  };
  return { name: options.name, corpus, queries, qrels, counts };
}

async function assertDirectory(dir: string): Promise<void> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new LoreError({
      code: 'NOT_FOUND',
      message: `BEIR dataset folder not found: ${dir}`,
      hint: 'pass the folder that holds corpus.jsonl, queries.jsonl and qrels/test.tsv',
      subject: dir,
    });
  }
}

async function readText(file: string): Promise<string> {
  try {
    const text = await readFile(file, 'utf8');
    // A BOM would make the first JSON line or the TSV header unparsable.
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
    throw new LoreError({
      code: missing ? 'NOT_FOUND' : 'INTERNAL',
      message: missing ? `BEIR file missing: ${file}` : `cannot read ${file}`,
      hint: missing ? 'a BEIR folder holds corpus.jsonl, queries.jsonl and qrels/<split>.tsv' : undefined,
      subject: file,
      cause,
    });
  }
}

interface Line {
  number: number;
  text: string;
}

/** Non-blank lines with their 1-based line numbers, so errors point at the line to fix. */
function lines(content: string): Line[] {
  const out: Line[] = [];
  content.split(/\r?\n/).forEach((text, i) => {
    if (text.trim().length > 0) out.push({ number: i + 1, text });
  });
  return out;
}

function parseError(options: { file: string; line: number; problem: string; cause?: unknown }): LoreError {
  return new LoreError({
    code: 'PARSE_ERROR',
    message: `${options.file}:${options.line}: ${options.problem}`,
    hint: 'fix or remove that line; BEIR files hold one JSON object (or one TSV row) per line',
    subject: options.file,
    cause: options.cause,
  });
}

function parseJsonObject(options: { file: string; line: Line }): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(options.line.text);
  } catch (cause) {
    throw parseError({ file: options.file, line: options.line.number, problem: 'not valid JSON', cause });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw parseError({ file: options.file, line: options.line.number, problem: 'expected a JSON object' });
  }
  return value as Record<string, unknown>;
}

interface FieldOptions {
  record: Record<string, unknown>;
  key: string;
  file: string;
  line: number;
  required: boolean;
}

/** Ids may be numbers in some BEIR exports; BEIR itself treats every id as a string. */
function stringField(options: FieldOptions): string {
  const value = options.record[options.key];
  if (typeof value === 'string') return value;
  if (options.key === '_id' && typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (value === undefined || value === null) {
    if (!options.required) return '';
    throw parseError({ file: options.file, line: options.line, problem: `missing "${options.key}"` });
  }
  throw parseError({ file: options.file, line: options.line, problem: `"${options.key}" is not a string` });
}

function parseCorpus(options: { file: string; content: string }): BeirDocument[] {
  const { file } = options;
  const seen = new Set<string>();
  return lines(options.content).map((line) => {
    const record = parseJsonObject({ file, line });
    const id = stringField({ record, key: '_id', file, line: line.number, required: true });
    if (seen.has(id)) throw parseError({ file, line: line.number, problem: `duplicate document id ${JSON.stringify(id)}` });
    seen.add(id);
    const title = stringField({ record, key: 'title', file, line: line.number, required: false });
    const text = stringField({ record, key: 'text', file, line: line.number, required: true });
    return { id, title, text };
  });
}

function parseQueries(options: { file: string; content: string }): BeirQuery[] {
  const { file } = options;
  const seen = new Set<string>();
  return lines(options.content).map((line) => {
    const record = parseJsonObject({ file, line });
    const id = stringField({ record, key: '_id', file, line: line.number, required: true });
    if (seen.has(id)) throw parseError({ file, line: line.number, problem: `duplicate query id ${JSON.stringify(id)}` });
    seen.add(id);
    return { id, text: stringField({ record, key: 'text', file, line: line.number, required: true }) };
  });
}

interface ParsedQrels {
  qrels: Map<string, Map<string, number>>;
  rows: number;
}

function parseQrels(options: { file: string; content: string }): ParsedQrels {
  const { file } = options;
  const qrels = new Map<string, Map<string, number>>();
  let rows = 0;
  for (const [i, line] of lines(options.content).entries()) {
    const columns = line.text.split('\t').map((c) => c.trim());
    // BEIR writes a `query-id corpus-id score` header; tolerate files without one.
    if (i === 0 && columns[0] === 'query-id') continue;
    const [queryId, docId, scoreText] = columns;
    if (columns.length !== 3 || !queryId || !docId || !scoreText) {
      throw parseError({ file, line: line.number, problem: `expected 3 tab-separated columns (query-id, corpus-id, score), found ${columns.length}` });
    }
    const gain = Number(scoreText);
    if (!Number.isFinite(gain)) throw parseError({ file, line: line.number, problem: `score ${JSON.stringify(scoreText)} is not a number` });
    const judgments = qrels.get(queryId) ?? new Map<string, number>();
    // A repeated pair keeps the last score, as BEIR's own loader (a dict) does.
    judgments.set(docId, gain);
    qrels.set(queryId, judgments);
    rows++;
  }
  return { qrels, rows };
}
