import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { LoreError } from '../../spec/errors.js';

/**
 * A RAG test set: JSON Lines, one item a line.
 *
 * ```json
 * {"id": "q1", "question": "How often is the gearbox oil replaced?", "reference": "Every 18 months.",
 *  "source_chunks": [{"chunk_id": 12, "source": "/docs/manual.md", "text": "Replace the gearbox oil every 18 months."}]}
 * ```
 *
 * - `question` (or Ragas' `user_input`, or `query`): required.
 * - `reference`: the reference answer, optional; also read from `answer`, `reference_answer`,
 *   `ground_truth`, or the first of `ground_truths`. (In a Lore test set `answer` is the reference: the
 *   pipeline writes its own.)
 * - `source_chunks`: the passages the reference comes from, optional; also `contexts`,
 *   `reference_contexts`, `ground_truth_contexts`. Each a string, or an object with `text` and optionally
 *   `chunk_id` / `chunkId`, `source`.
 * - `id`: optional (default: the line number); ids must be unique.
 * - Other fields (`type`, `language`, Ragas' `response` and `retrieved_contexts` from another pipeline's
 *   run) are kept in `extra` and otherwise ignored: `lore eval rag` runs the pipeline itself.
 */
export interface SourceContext {
  text: string;
  chunkId?: number;
  source?: string;
}

export interface TestItem {
  id: string;
  question: string;
  reference?: string;
  contexts?: SourceContext[];
  extra?: Record<string, unknown>;
}

const QUESTION_KEYS = ['question', 'user_input', 'query'];
const REFERENCE_KEYS = ['reference', 'answer', 'reference_answer', 'ground_truth', 'ground_truths'];
const CONTEXT_KEYS = ['source_chunks', 'contexts', 'reference_contexts', 'ground_truth_contexts'];
const KNOWN = new Set(['id', '_id', ...QUESTION_KEYS, ...REFERENCE_KEYS, ...CONTEXT_KEYS]);

export async function readTestSet(file: string): Promise<TestItem[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
    throw new LoreError({ code: missing ? 'NOT_FOUND' : 'INTERNAL', message: missing ? `Test set not found: ${file}` : `Cannot read ${file}`, subject: file, cause });
  }
  return parseTestSet({ text, file });
}

export function parseTestSet(options: { text: string; file?: string }): TestItem[] {
  const file = options.file ?? 'test set';
  const text = options.text.charCodeAt(0) === 0xfeff ? options.text.slice(1) : options.text;
  const items: TestItem[] = [];
  const ids = new Set<string>();
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const fail = (problem: string, cause?: unknown) =>
      new LoreError({
        code: 'PARSE_ERROR',
        message: `${file}:${i + 1}: ${problem}`,
        hint: 'each line is one JSON object: {"question": "...", "reference": "...", "source_chunks": ["..."]}',
        subject: file,
        cause,
      });
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (cause) {
      throw fail('not valid JSON', cause);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fail('expected a JSON object');
    const record = value as Record<string, unknown>;
    const question = firstString(record, QUESTION_KEYS);
    if (!question) throw fail('missing "question"');
    const rawId = record['id'] ?? record['_id'];
    const id = typeof rawId === 'string' && rawId.trim() ? rawId.trim() : typeof rawId === 'number' && Number.isFinite(rawId) ? String(rawId) : `line-${i + 1}`;
    if (ids.has(id)) throw fail(`duplicate id ${JSON.stringify(id)}`);
    ids.add(id);
    const reference = firstString(record, REFERENCE_KEYS);
    const contexts = readContexts(record, (problem) => fail(problem));
    const extra = Object.fromEntries(Object.entries(record).filter(([k]) => !KNOWN.has(k)));
    items.push({
      id,
      question,
      ...(reference ? { reference } : {}),
      ...(contexts.length ? { contexts } : {}),
      ...(Object.keys(extra).length ? { extra } : {}),
    });
  });
  if (items.length === 0) throw new LoreError({ code: 'PARSE_ERROR', message: `${file} holds no test item`, hint: 'write one JSON object per line with at least a "question"', subject: file });
  return items;
}

function firstString(record: Record<string, unknown>, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    let v = record[key];
    if (Array.isArray(v)) v = v.find((x) => typeof x === 'string' && x.trim());
    if (typeof v === 'string' && v.trim()) return v.trim();
  }
  return undefined;
}

function readContexts(record: Record<string, unknown>, fail: (problem: string) => LoreError): SourceContext[] {
  const key = CONTEXT_KEYS.find((k) => record[k] !== undefined && record[k] !== null);
  if (!key) return [];
  const raw = record[key];
  const list = Array.isArray(raw) ? raw : [raw];
  const out: SourceContext[] = [];
  for (const entry of list) {
    if (typeof entry === 'string') {
      if (entry.trim()) out.push({ text: entry });
      continue;
    }
    if (typeof entry !== 'object' || entry === null) throw fail(`"${key}" entries must be strings or objects with "text"`);
    const e = entry as Record<string, unknown>;
    const text = e['text'] ?? e['content'] ?? e['page_content'];
    if (typeof text !== 'string') throw fail(`a "${key}" entry has no "text"`);
    const chunkId = e['chunk_id'] ?? e['chunkId'];
    const source = e['source'];
    out.push({ text, ...(typeof chunkId === 'number' && Number.isInteger(chunkId) ? { chunkId } : {}), ...(typeof source === 'string' ? { source } : {}) });
  }
  return out;
}

/** SHA-256 of the items as read (canonical JSON), so that reformatting a file does not change it. */
export function testSetHash(items: readonly TestItem[]): string {
  const hash = createHash('sha256');
  for (const item of items) {
    hash.update(JSON.stringify([item.id, item.question, item.reference ?? null, (item.contexts ?? []).map((c) => [c.text, c.chunkId ?? null, c.source ?? null])]));
    hash.update('\n');
  }
  return hash.digest('hex');
}

/** One line of a test set file as `lore eval generate` writes it. */
export function testItemLine(item: TestItem): string {
  const contexts = item.contexts?.map((c) => ({ ...(c.chunkId !== undefined ? { chunk_id: c.chunkId } : {}), ...(c.source ? { source: c.source } : {}), text: c.text }));
  return JSON.stringify({ id: item.id, question: item.question, ...(item.reference ? { reference: item.reference } : {}), ...(contexts ? { source_chunks: contexts } : {}), ...(item.extra ?? {}) });
}
