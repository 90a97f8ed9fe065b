import { LoreError } from '../spec/errors.js';

/** Values for `{{name}}` placeholders. null and undefined count as missing. */
export type TemplateVariables = Readonly<Record<string, string | number | boolean | null | undefined>>;

// `\{{` is a literal `{{`; `{{ name }}` a placeholder; any other `{{` is a mistake we report rather than send.
const TOKEN = /\\\{\{|\{\{([^{}]*)\}\}|\{\{/g;
const NAME = /^[\p{L}\p{N}_.-]+$/u;

interface Placeholder {
  name?: string;
  /** The text as written, for error messages. */
  text: string;
}

function scan(template: string): Placeholder[] {
  const found: Placeholder[] = [];
  for (const m of template.matchAll(TOKEN)) {
    if (m[0] === '\\{{') continue;
    const inner = m[1]?.trim();
    found.push({ name: inner !== undefined && NAME.test(inner) ? inner : undefined, text: m[0] });
  }
  return found;
}

function malformed(p: Placeholder, where: string | undefined): LoreError {
  return new LoreError({
    code: 'INVALID_ARGUMENT',
    message: `Malformed placeholder ${JSON.stringify(p.text)}${where ? ` in the ${where}` : ''}`,
    hint: 'write {{name}} with a name of letters, digits, "_", "." or "-", or \\{{ for a literal "{{"',
  });
}

/**
 * The variable names a template uses, in order of first use; throws INVALID_ARGUMENT on a malformed
 * placeholder. `where` names the part of a larger template for the message ("task", "role").
 */
export function templateVariables(template: string, where?: string): string[] {
  const names: string[] = [];
  for (const p of scan(template)) {
    if (p.name === undefined) throw malformed(p, where);
    if (!names.includes(p.name)) names.push(p.name);
  }
  return names;
}

/**
 * Replaces `{{name}}` placeholders in one pass, so a value that itself contains `{{…}}` (a user's question,
 * say) is inserted as written and never expanded. A missing variable is an INVALID_ARGUMENT naming every
 * missing one — a prompt with a hole in it reads as a valid prompt to the model and fails quietly.
 */
export function fillTemplate(options: { template: string; variables?: TemplateVariables; where?: string }): string {
  const { template, variables = {}, where } = options;
  const missing: string[] = [];
  const text = template.replace(TOKEN, (whole: string, inner: string | undefined) => {
    if (whole === '\\{{') return '{{';
    const name = inner?.trim();
    if (name === undefined || !NAME.test(name)) throw malformed({ text: whole }, where);
    const value = Object.hasOwn(variables, name) ? variables[name] : undefined;
    if (value === undefined || value === null) {
      if (!missing.includes(name)) missing.push(name);
      return whole;
    }
    if (typeof value === 'object' || typeof value === 'function' || typeof value === 'symbol') {
      throw new LoreError({
        code: 'INVALID_ARGUMENT',
        message: `Template variable "${name}" is a ${typeof value}, not text`,
        hint: 'pass a string (JSON.stringify it if that is what the prompt should show)',
      });
    }
    return String(value);
  });
  if (missing.length > 0) {
    const list = missing.map((n) => `"${n}"`).join(', ');
    throw new LoreError({
      code: 'INVALID_ARGUMENT',
      message: `Missing template variable${missing.length > 1 ? 's' : ''} ${list}${where ? ` in the ${where}` : ''}`,
      hint: `pass ${missing.length > 1 ? 'them' : 'it'} in \`variables\``,
    });
  }
  return text;
}
