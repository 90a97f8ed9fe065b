import { splitThinking } from './think-blocks.js';

export type JsonExtraction = { ok: true; value: unknown; text: string } | { ok: false; error: string };

export interface ExtractJsonOptions {
  /**
   * Also accept the near-JSON weak models write: trailing commas, and single-quoted keys and strings when
   * the text has no double quotes at all (a Python dict). Off by default: a schema-bound reply should be
   * repaired by the model, not guessed at.
   */
  lenient?: boolean;
}

const FENCE = /(```|~~~)[ \t]*([\w-]*)[^\n]*\n([\s\S]*?)\n?[ \t]*\1/g;
/** Enough to find JSON after a preamble, without quadratic work on a long reply full of braces. */
const MAX_CANDIDATES = 32;

function tryParse(text: string, lenient: boolean): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    if (lenient) {
      let fixed = text.replace(/,(\s*[}\]])/g, '$1');
      if (!fixed.includes('"')) fixed = fixed.replace(/'/g, '"');
      if (fixed !== text) {
        try {
          return { ok: true, value: JSON.parse(fixed) as unknown };
        } catch {
          // Report the original error below.
        }
      }
    }
    return { ok: false, error: (error as Error).message };
  }
}

/** From an opening bracket, the end of its balanced value, skipping brackets inside strings; -1 if unbalanced. */
function balancedEnd(text: string, start: number): number {
  const stack: string[] = [];
  let inString: string | undefined;
  for (let i = start; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === inString) inString = undefined;
      continue;
    }
    if (ch === '"' || (ch === "'" && stack.length > 0 && /[\s{[,:]/.test(text[i - 1] ?? ''))) inString = ch;
    else if (ch === '{') stack.push('}');
    else if (ch === '[') stack.push(']');
    else if (ch === '}' || ch === ']') {
      if (stack.pop() !== ch) return -1;
      if (stack.length === 0) return i + 1;
    }
  }
  return -1;
}

/**
 * Finds the JSON value in a model's reply: the whole reply, else a ```json fenced block, else the first
 * balanced {…} or […] in surrounding prose that parses. `<think>` blocks are skipped first, as their
 * reasoning often quotes half-finished JSON.
 */
export function extractJson(text: string, options: ExtractJsonOptions = {}): JsonExtraction {
  const lenient = options.lenient ?? false;
  const { rest } = splitThinking(text);
  const body = rest.trim();
  if (body === '') return { ok: false, error: 'the reply is empty' };

  const whole = tryParse(body, lenient);
  if (whole.ok) return { ok: true, value: whole.value, text: body };
  let firstError = whole.error;

  for (const m of body.matchAll(FENCE)) {
    const inner = m[3]!.trim();
    if (inner === '') continue;
    const parsed = tryParse(inner, lenient);
    if (parsed.ok) return { ok: true, value: parsed.value, text: inner };
    if (/^json/i.test(m[2] ?? '')) firstError = parsed.error;
  }

  let candidates = 0;
  for (let i = 0; i < body.length && candidates < MAX_CANDIDATES; i++) {
    const ch = body[i];
    if (ch !== '{' && ch !== '[') continue;
    candidates++;
    const end = balancedEnd(body, i);
    if (end < 0) continue;
    const slice = body.slice(i, end);
    const parsed = tryParse(slice, lenient);
    if (parsed.ok) return { ok: true, value: parsed.value, text: slice };
  }
  return { ok: false, error: /[{[]/.test(body) ? `the reply has no valid JSON (${firstError})` : 'the reply contains no JSON' };
}
