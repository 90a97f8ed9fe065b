import { LoreError } from '../spec/errors.js';
import type { ToolSpec } from '../spec/models.js';
import { TOOL_NAME_PATTERN, type Tool } from '../spec/tool.js';
import { isZodSchema, jsonObjectSchema, zodObjectSchema, type ObjectSchema } from '../prompt/object-schema.js';

/** A tool made ready for a run: the spec a model reads and the check its arguments must pass. */
export interface PreparedTool {
  tool: Tool;
  spec: ToolSpec;
  schema: ObjectSchema<unknown>;
}

/**
 * Compiles each tool's schema once, before the first model call, so that a broken schema or a bad name is
 * the caller's error at the start and not something a model stumbles on in step seven.
 */
export function prepareTools(options: { tools: readonly Tool[] }): Map<string, PreparedTool> {
  const prepared = new Map<string, PreparedTool>();
  for (const tool of options.tools) {
    if (!TOOL_NAME_PATTERN.test(tool.name)) {
      throw new LoreError({ code: 'INVALID_ARGUMENT', message: `The tool name "${tool.name}" is not allowed`, hint: 'use 1–64 letters, digits, "_" or "-"' });
    }
    if (prepared.has(tool.name)) throw new LoreError({ code: 'INVALID_ARGUMENT', message: `Two tools are named "${tool.name}"`, hint: 'give each tool its own name' });
    const schema = isZodSchema(tool.parameters)
      ? (zodObjectSchema(tool.parameters) as ObjectSchema<unknown>)
      : jsonObjectSchema<unknown>(tool.parameters as Record<string, unknown>);
    prepared.set(tool.name, { tool, schema, spec: { name: tool.name, description: tool.description, parameters: schema.jsonSchema } });
  }
  return prepared;
}
