import { Ajv, type ValidateFunction } from 'ajv';
import type { ToolCall, ToolSpec } from '../spec/models.js';

export type ToolArgumentsCheck =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; errors: string[] };

const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
const compiled = new WeakMap<object, ValidateFunction>();
/** Arguments longer than this are refused unread: no tool needs a megabyte of JSON, and parsing costs. */
const MAX_ARGUMENTS = 256 * 1024;

/**
 * Checks a model's tool call before the tool runs: the tool exists among those offered, its arguments are
 * one JSON object, and that object satisfies the tool's JSON Schema. A model (or whoever injected it) can
 * name tools it was not given and write arguments of any shape; the tool's code should never see those.
 * Never throws: a schema that does not compile is reported as an error of the check.
 */
export function validateToolArguments(options: { call: ToolCall; tools: readonly ToolSpec[] }): ToolArgumentsCheck {
  const { call, tools } = options;
  const tool = tools.find((t) => t.name === call.name);
  if (!tool) return { ok: false, errors: [`no tool named "${call.name}" was offered`] };
  if (call.arguments.length > MAX_ARGUMENTS) return { ok: false, errors: [`arguments are ${call.arguments.length} characters, over ${MAX_ARGUMENTS}`] };
  let value: unknown;
  try {
    value = call.arguments.trim() === '' ? {} : JSON.parse(call.arguments);
  } catch (error) {
    return { ok: false, errors: [`arguments are not JSON: ${(error as Error).message}`] };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, errors: ['arguments must be a JSON object'] };
  let validate = compiled.get(tool.parameters);
  try {
    if (!validate) {
      validate = ajv.compile(tool.parameters);
      compiled.set(tool.parameters, validate);
    }
  } catch (error) {
    return { ok: false, errors: [`the schema of "${tool.name}" does not compile: ${(error as Error).message}`] };
  }
  if (validate(value)) return { ok: true, value: value as Record<string, unknown> };
  const errors = (validate.errors ?? []).map((e) => `${e.instancePath || '(arguments)'} ${e.message ?? 'is invalid'}${e.params && 'additionalProperty' in e.params ? `: ${String(e.params.additionalProperty)}` : ''}`);
  return { ok: false, errors };
}
