import type { GbnfJsonSchema, Llama, LlamaGrammar } from 'node-llama-cpp';
import { LoreError } from '../../spec/errors.js';
import type { ToolSpec } from '../../spec/models.js';

type Schema = Record<string, unknown>;

// Annotations that do not constrain a value: dropped so they cannot trip the grammar generator.
const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'default', 'examples', '$comment', 'readOnly', 'writeOnly', 'deprecated']);
/**
 * llama.cpp refuses a grammar whose repetition bound reaches 2000 ("Failed to parse grammar"), so a
 * `maxLength: 2000` anywhere made the whole request fail. Larger upper bounds are dropped from the grammar
 * (the caller still validates the value against the full schema).
 */
const MAX_GRAMMAR_REPETITION = 1000;
const REPETITION_BOUNDS = new Set(['maxLength', 'maxItems']);

/**
 * A JSON Schema as node-llama-cpp's grammar generator reads it. It understands type, properties,
 * additionalProperties, required, items, prefixItems, min/maxItems, min/maxLength, enum, const, oneOf,
 * $defs/$ref and the date formats; `anyOf` means the same for generation as `oneOf` (any branch may be
 * produced), and an object with no properties listed accepts any properties, as JSON Schema says.
 */
export function toGrammarSchema(schema: unknown): GbnfJsonSchema {
  return normalize(schema) as GbnfJsonSchema;
}

function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize);
  if (value === null || typeof value !== 'object') return value;
  const out: Schema = {};
  for (const [key, v] of Object.entries(value as Schema)) {
    if (ANNOTATIONS.has(key)) continue;
    if (REPETITION_BOUNDS.has(key) && typeof v === 'number' && v > MAX_GRAMMAR_REPETITION) continue;
    if (key === 'anyOf') out['oneOf'] = normalize(v);
    else if (key === 'properties' || key === '$defs' || key === 'definitions') {
      out[key === 'definitions' ? '$defs' : key] = Object.fromEntries(Object.entries((v ?? {}) as Schema).map(([k, s]) => [k, normalize(s)]));
    } else if (key === '$ref' && typeof v === 'string') out[key] = v.replace('#/definitions/', '#/$defs/');
    else out[key] = normalize(v);
  }
  if (out['type'] === 'object' && out['properties'] === undefined && out['additionalProperties'] === undefined) out['additionalProperties'] = true;
  return out;
}

/** The answer to a request that must call a tool: `{"name": <one of the tools>, "arguments": <its parameters>}`. */
export function toolCallSchema(tools: readonly ToolSpec[]): GbnfJsonSchema {
  const branches = tools.map((tool) => ({
    type: 'object',
    properties: { name: { const: tool.name }, arguments: normalize(tool.parameters ?? { type: 'object' }) },
    required: ['name', 'arguments'],
  }));
  return (branches.length === 1 ? branches[0] : { oneOf: branches }) as GbnfJsonSchema;
}

/** Tells the model what the tools are when a grammar, not the chat template, carries the call. */
export function toolsSystemText(tools: readonly ToolSpec[]): string {
  const lines = tools.map((t) => `- ${t.name}${t.description ? `: ${t.description}` : ''}\n  arguments (JSON Schema): ${JSON.stringify(t.parameters ?? { type: 'object' })}`);
  return `Call one of these tools by answering with a JSON object {"name": tool name, "arguments": {…}}:\n${lines.join('\n')}`;
}

/**
 * node-llama-cpp 3.21.1 lets numbers carry a 16-digit exponent, integers included: `7E9158682253` parses
 * to Infinity (written back as null) and `1e-5` is no integer — 21 of 60 answers of the random test model
 * failed their schema that way. Integers lose the exponent here (and stay below 2^53, where they are
 * exact), other numbers keep at most two exponent digits, so every number parses to a finite value.
 */
function withFiniteNumbers(gbnf: string): string {
  return gbnf
    .replace(/^integer-number-rule ::= .*$/m, 'integer-number-rule ::= "-"? ("0" | [1-9] [0-9]{0,14})')
    .replace(/^fractional-number-rule ::= .*$/m, 'fractional-number-rule ::= "-"? ("0" | [1-9] [0-9]{0,14}) ("." [0-9]{1,16})? ([eE] [-+]? [0-9]{1,2})?');
}

const grammars = new WeakMap<Llama, Map<string, Promise<LlamaGrammar>>>();
const CACHE_SIZE = 64;

/**
 * Compiles (and caches: the same schema is usually asked for again and again) the grammar that makes
 * every output parse and match the schema. A schema the generator cannot express is the caller's to fix.
 */
export function grammarForSchema(options: { llama: Llama; schema: GbnfJsonSchema }): Promise<LlamaGrammar> {
  let cache = grammars.get(options.llama);
  if (!cache) grammars.set(options.llama, (cache = new Map()));
  const key = JSON.stringify(options.schema);
  let grammar = cache.get(key);
  if (!grammar) {
    // The generic parameter only serves typed parsing, which Lore does not use (it validates the text itself).
    const llama = options.llama;
    grammar = llama
      .createGrammarForJsonSchema(options.schema as Parameters<Llama['createGrammarForJsonSchema']>[0])
      .then((generated) =>
        llama.createGrammar({
          grammar: withFiniteNumbers(generated.grammar),
          stopGenerationTriggers: generated.stopGenerationTriggers,
          trimWhitespaceSuffix: generated.trimWhitespaceSuffix,
        }),
      )
      .catch((cause: unknown) => {
      cache.delete(key);
      throw new LoreError({
        code: 'INVALID_ARGUMENT',
        message: `This JSON Schema cannot be turned into a grammar: ${(cause as Error)?.message ?? cause}`,
        hint: 'use type, properties, required, items, enum, const, oneOf/anyOf, $defs/$ref, minLength/maxLength, minItems/maxItems',
        cause,
      });
    });
    cache.set(key, grammar);
    if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  }
  return grammar;
}

/** Any JSON object (OpenAI's `json_object` mode). */
export function anyObjectSchema(): GbnfJsonSchema {
  return { type: 'object', additionalProperties: true } as GbnfJsonSchema;
}
