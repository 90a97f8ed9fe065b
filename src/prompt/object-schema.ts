import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { z } from 'zod';
import { LoreError } from '../spec/errors.js';

/** A JSON Schema as a plain object. */
export type JsonSchema = Record<string, unknown>;

/** What generateObject needs from a schema: a JSON Schema to send, and a check of what came back. */
export interface ObjectSchema<T> {
  /** The schema for `responseFormat` and for prompts: no `$schema`, every plain object closed. */
  jsonSchema: JsonSchema;
  validate(value: unknown): { ok: true; value: T } | { ok: false; errors: string[] };
}

/** Zod 4 schemas carry `_zod`; zod 3 ones do not, and z.toJSONSchema cannot read them. */
export function isZodSchema(value: unknown): value is z.ZodType {
  return typeof value === 'object' && value !== null && '_zod' in value && typeof (value as { safeParse?: unknown }).safeParse === 'function';
}

/** `tags[0].name`, the way a person (and a model) reads a location; `(root)` for the value itself. */
function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`;
  return out || '(root)';
}

const MAX_ERRORS = 20;
const capped = (errors: string[]) => (errors.length > MAX_ERRORS ? [...errors.slice(0, MAX_ERRORS), `… and ${errors.length - MAX_ERRORS} more`] : errors);

/** Keywords whose values are data, not schemas, and keywords whose values map names to schemas. */
const DATA_KEYWORDS = new Set(['default', 'const', 'enum', 'examples']);
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);

/** Strict-mode providers (OpenAI) reject an object schema that allows extra keys; zod strips them anyway. */
function closeObjects(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closeObjects);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (DATA_KEYWORDS.has(key)) out[key] = value;
    else out[key] = SCHEMA_MAPS.has(key) ? mapValues(value, closeObjects) : closeObjects(value);
  }
  if (out['type'] === 'object' && out['properties'] !== undefined && !('additionalProperties' in out)) out['additionalProperties'] = false;
  return out;
}

function mapValues(value: unknown, f: (v: unknown) => unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return f(value);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, f(v)]));
}

function withoutMetaSchema(schema: JsonSchema): JsonSchema {
  const { $schema: _ignored, ...rest } = schema;
  return rest;
}

export function zodObjectSchema<S extends z.ZodType>(schema: S): ObjectSchema<z.output<S>> {
  // The input side: what the model writes is what safeParse reads (a field with a default may be left out,
  // a transformed field is written in its input form). Unrepresentable parts (dates, custom checks) become
  // "any", left to validation and the repair turn rather than failing before the model is even asked.
  const jsonSchema = closeObjects(withoutMetaSchema(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema)) as JsonSchema;
  return {
    jsonSchema,
    validate(value) {
      const result = schema.safeParse(value);
      if (result.success) return { ok: true, value: result.data as z.output<S> };
      return { ok: false, errors: capped(result.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`)) };
    },
  };
}

// One validator instance per draft, made on first use: compiling the meta-schemas is not free.
const validators = new Map<string, Ajv>();
function ajvFor(metaSchema: unknown): Ajv {
  const draft = typeof metaSchema === 'string' && metaSchema.includes('2020-12') ? '2020' : typeof metaSchema === 'string' && metaSchema.includes('2019-09') ? '2019' : '7';
  let ajv = validators.get(draft);
  if (!ajv) {
    // Not strict: schemas written for providers carry keywords ajv does not know. No format checks: ajv
    // has none built in, and a warning per unknown format helps nobody.
    const options = { allErrors: true, strict: false, validateFormats: false };
    ajv = draft === '2020' ? new Ajv2020(options) : draft === '2019' ? new Ajv2019(options) : new Ajv(options);
    validators.set(draft, ajv);
  }
  return ajv;
}

function formatAjvError(e: ErrorObject): string {
  const path = formatPath(
    e.instancePath
      .split('/')
      .slice(1)
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
      .map((p) => (/^\d+$/.test(p) ? Number(p) : p)),
  );
  const extra = e.keyword === 'additionalProperties' ? ` ("${String((e.params as { additionalProperty?: string }).additionalProperty)}")` : e.keyword === 'enum' ? ` (${JSON.stringify((e.params as { allowedValues?: unknown }).allowedValues)})` : '';
  return `${path}: ${e.message ?? e.keyword}${extra}`;
}

const compiled = new WeakMap<JsonSchema, ValidateFunction>();

export function jsonObjectSchema<T = unknown>(schema: JsonSchema): ObjectSchema<T> {
  let check: ValidateFunction;
  try {
    const known = schema['$schema'];
    const supported = typeof known === 'string' && /draft-07|2019-09|2020-12/.test(known);
    // An older draft's meta-schema is not loaded; its keywords mostly still work under draft 7.
    const ajv = ajvFor(known);
    // Compiled once per schema object; a schema with an $id replaces any earlier one of that id, which ajv
    // would otherwise refuse to compile a second time.
    const cached = compiled.get(schema);
    if (cached) check = cached;
    else {
      if (typeof schema['$id'] === 'string') ajv.removeSchema(schema['$id']);
      check = ajv.compile(supported ? schema : withoutMetaSchema(schema));
      compiled.set(schema, check);
    }
  } catch (cause) {
    throw new LoreError({ code: 'INVALID_ARGUMENT', message: `The JSON Schema is not valid: ${(cause as Error).message}`, cause });
  }
  return {
    jsonSchema: withoutMetaSchema(schema),
    validate(value) {
      if (check(value)) return { ok: true, value: value as T };
      return { ok: false, errors: capped((check.errors ?? []).map(formatAjvError)) };
    },
  };
}
