import type { LoadedDocument, Loader, LoaderInput, LoaderOptions, Metadata, MetadataValue, TextBlock } from '../../spec/document.js';
import { LoreError } from '../../spec/errors.js';
import { decodeText } from './detect-encoding.js';
import { MIME_TYPES } from './detect-type.js';
import { locateJsonError } from './locate-json-error.js';

/**
 * JSON and JSON Lines: one record per object. The text fields become the record's text, everything else
 * its block metadata, so a search can filter on fields and a citation can name the record's id.
 */

/** Field names that hold a record's prose, in the order they are written into the text. */
const KNOWN_TEXT_FIELDS = ['title', 'text', 'content', 'body'];
/** Without known fields: strings longer than this are prose, shorter ones are labels (metadata). */
const LONG_STRING = 20;

type Scalar = string | number | boolean | null;
type Flat = Map<string, Scalar | Scalar[]>;

const jsonLoad =
  (type: 'json' | 'jsonl') =>
  async ({ source, bytes, options }: LoaderInput): Promise<LoadedDocument> => {
    const decoded = decodeText({ bytes, source, encoding: options?.encoding });
    const warnings = [...decoded.warnings];
    const parsed = type === 'jsonl' ? parseJsonLines(decoded.text, source) : parseJsonDocument(decoded.text, source);
    const values = recordValues(parsed.value, parsed.kind, warnings, source);
    const doc = buildRecords(values, options ?? {}, source, warnings);
    return {
      source,
      mimeType: MIME_TYPES[parsed.kind],
      text: doc.text,
      blocks: doc.blocks,
      metadata: { type: parsed.kind, encoding: decoded.encoding, records: doc.blocks.length, textFields: doc.textFields },
      warnings,
    };
  };

export const jsonLoader: Loader = { name: 'json', mimeTypes: [MIME_TYPES.json], load: jsonLoad('json') };
export const jsonLinesLoader: Loader = {
  name: 'jsonl',
  mimeTypes: [MIME_TYPES.jsonl, 'application/x-ndjson', 'application/jsonlines'],
  load: jsonLoad('jsonl'),
};

interface Parsed {
  value: unknown;
  kind: 'json' | 'jsonl';
}

/** A `.json` file that is really JSON Lines (one object per line) is read as such. */
function parseJsonDocument(text: string, source: string): Parsed {
  try {
    return { value: JSON.parse(text), kind: 'json' };
  } catch (error) {
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    if (lines.length > 1 && isJson(lines[0]!) && isJson(lines[1]!)) return parseJsonLines(text, source);
    const at = locateJsonError({ text });
    throw parseError(source, `line ${at.line}, column ${at.column}: ${at.reason}`, error);
  }
}

/** JSON Lines: blank lines skipped (a trailing newline is normal); a `.jsonl` holding one pretty-printed value is read whole. */
function parseJsonLines(text: string, source: string): Parsed {
  const values: unknown[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    try {
      values.push(JSON.parse(line));
    } catch (error) {
      if (values.length === 0 && isJson(text)) return { value: JSON.parse(text), kind: 'json' };
      const at = locateJsonError({ text: line });
      throw parseError(source, `line ${i + 1}, column ${at.column}: ${at.reason}`, error);
    }
  }
  return { value: values, kind: 'jsonl' };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function parseError(source: string, where: string, cause: unknown): LoreError {
  return new LoreError({
    code: 'PARSE_ERROR',
    message: `Invalid JSON in ${source} at ${where}`,
    hint: 'fix the file, or exclude it',
    subject: source,
    cause,
  });
}

/** The values that become records: an array's elements, JSON Lines' lines, or a single value. */
function recordValues(value: unknown, kind: 'json' | 'jsonl', warnings: string[], source: string): unknown[] {
  if (kind === 'jsonl' || Array.isArray(value)) return value as unknown[];
  if (isObject(value)) {
    // `{ "data": [ {...}, ... ] }`: a wrapper around the records, when it holds nothing else of note.
    const arrays = Object.entries(value).filter(([, v]) => Array.isArray(v) && v.length > 0 && v.every(isObject));
    const others = Object.values(value).filter((v) => typeof v === 'string' && v.length > LONG_STRING);
    if (arrays.length === 1 && others.length === 0) {
      const [key, records] = arrays[0]!;
      warnings.push(`${source}: read the records in "${key}"`);
      return records as unknown[];
    }
  }
  return [value];
}

interface Records {
  text: string;
  blocks: TextBlock[];
  textFields: string[];
}

function buildRecords(values: unknown[], options: LoaderOptions, source: string, warnings: string[]): Records {
  const records: Flat[] = [];
  let skippedValues = 0;
  for (const value of values) {
    if (isObject(value)) records.push(flatten(value));
    // A bare string is a record whose text is the string.
    else if (typeof value === 'string') records.push(new Map([['text', value]]));
    else skippedValues++;
  }
  if (skippedValues > 0) warnings.push(`${source}: skipped ${skippedValues} value(s) that are neither objects nor strings`);

  const textFields = options.textFields ?? chooseTextFields(records);
  const idField = options.idField ?? (records.some((r) => r.has('_id')) ? '_id' : records.some((r) => r.has('id')) ? 'id' : undefined);

  const blocks: TextBlock[] = [];
  let text = '';
  let withoutText = 0;
  records.forEach((record, i) => {
    const parts: string[] = [];
    for (const field of textFields) {
      const value = record.get(field);
      if (value === null || value === undefined) continue;
      // Arrays of strings (paragraphs, tags) are read as a list.
      const part = Array.isArray(value) ? value.filter((v) => v !== null).join(', ') : String(value);
      if (part.trim() !== '') parts.push(part.trim());
    }
    if (parts.length === 0) {
      withoutText++;
      return;
    }
    const metadata: Metadata = { record: i + 1 };
    for (const [key, value] of record) {
      if (textFields.includes(key) || key === idField) continue;
      metadata[key] = value as MetadataValue;
    }
    const id = idField === undefined ? undefined : record.get(idField);
    if (typeof id === 'string' || typeof id === 'number') metadata.id = id;
    const recordText = parts.join('\n');
    if (text !== '') text += '\n\n';
    blocks.push({ start: text.length, end: text.length + recordText.length, metadata });
    text += recordText;
  });

  if (blocks.length === 0) {
    throw new LoreError({
      code: 'EMPTY_FILE',
      message: `${source} has no text in ${textFields.length > 0 ? `the fields ${textFields.join(', ')}` : 'any field'}`,
      hint: 'name the fields that hold the text with the textFields option',
      subject: source,
    });
  }
  if (withoutText > 0) warnings.push(`${source}: ${withoutText} record(s) have no text in ${textFields.join(', ')} and were skipped`);
  return { text, blocks, textFields };
}

/** `title`/`text`/`content`/`body` when present; otherwise every field holding a long string somewhere. */
function chooseTextFields(records: Flat[]): string[] {
  const present = KNOWN_TEXT_FIELDS.filter((f) => records.some((r) => typeof r.get(f) === 'string'));
  if (present.length > 0) return present;
  const long: string[] = [];
  for (const record of records) {
    for (const [key, value] of record) {
      if (typeof value === 'string' && value.length > LONG_STRING && !long.includes(key)) long.push(key);
    }
  }
  return long;
}

/** Nesting deeper than this is not metadata anyone filters on; stopping there keeps the recursion bounded. */
const MAX_FLATTEN_DEPTH = 32;

/**
 * Nested objects become dotted keys; arrays of scalars stay arrays; arrays of objects are dropped (not metadata).
 * Objects nested deeper than MAX_FLATTEN_DEPTH are dropped too: 50 000 levels overflowed the stack (fuzz tests).
 */
function flatten(object: Record<string, unknown>, prefix = '', out: Flat = new Map(), depth = 0): Flat {
  if (depth > MAX_FLATTEN_DEPTH) return out;
  for (const [key, value] of Object.entries(object)) {
    const name = prefix + key;
    if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out.set(name, value);
    else if (Array.isArray(value)) {
      if (value.every((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v))) out.set(name, value as Scalar[]);
    } else if (isObject(value)) flatten(value, `${name}.`, out, depth + 1);
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
