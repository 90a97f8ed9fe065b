import { LoreError } from '../../spec/errors.js';

/**
 * Arithmetic on a model's expressions, by a recursive-descent parser over a fixed grammar. Never `eval` or
 * `Function`: names resolve only in the two tables below (null-prototype objects, so `constructor`,
 * `__proto__` or `process` are unknown names like any other), and there is no syntax for property access,
 * strings or calls of anything but the listed functions.
 *
 *   expression := term (("+" | "-") term)*
 *   term       := unary (("*" | "/" | "%") unary)*
 *   unary      := ("-" | "+") unary | power
 *   power      := primary (("^" | "**") unary)?          right-associative; -2^2 = -4, 2^-1 = 0.5
 *   primary    := number | constant | function "(" expression ("," expression)* ")" | "(" expression ")"
 */

const CONSTANTS: Readonly<Record<string, number>> = Object.assign(Object.create(null) as Record<string, number>, {
  pi: Math.PI,
  e: Math.E,
});

interface FunctionDef {
  min: number;
  max: number;
  fn: (...args: number[]) => number;
}

const FUNCTIONS: Readonly<Record<string, FunctionDef>> = Object.assign(Object.create(null) as Record<string, FunctionDef>, {
  sqrt: { min: 1, max: 1, fn: Math.sqrt },
  abs: { min: 1, max: 1, fn: Math.abs },
  // round(x) to an integer, round(x, n) to n decimals; half away from zero, as people round.
  round: {
    min: 1,
    max: 2,
    fn: (x: number, digits = 0) => {
      const f = 10 ** Math.trunc(digits);
      return (Math.sign(x) * Math.round(Math.abs(x) * f)) / f;
    },
  },
  floor: { min: 1, max: 1, fn: Math.floor },
  ceil: { min: 1, max: 1, fn: Math.ceil },
  min: { min: 1, max: 100, fn: Math.min },
  max: { min: 1, max: 100, fn: Math.max },
  // log(x) is the natural logarithm (as in most programming languages); log(x, base) any other.
  log: { min: 1, max: 2, fn: (x: number, base?: number) => (base === undefined ? Math.log(x) : Math.log(x) / Math.log(base)) },
  ln: { min: 1, max: 1, fn: Math.log },
  log10: { min: 1, max: 1, fn: Math.log10 },
  log2: { min: 1, max: 1, fn: Math.log2 },
  exp: { min: 1, max: 1, fn: Math.exp },
  sin: { min: 1, max: 1, fn: Math.sin },
  cos: { min: 1, max: 1, fn: Math.cos },
  tan: { min: 1, max: 1, fn: Math.tan },
});

export const CALCULATOR_FUNCTIONS: readonly string[] = Object.keys(FUNCTIONS);
export const CALCULATOR_CONSTANTS: readonly string[] = Object.keys(CONSTANTS);

const MAX_LENGTH = 2000;
const MAX_DEPTH = 200;

type Token = { kind: 'number'; value: number; at: number } | { kind: 'name'; value: string; at: number } | { kind: 'op'; value: string; at: number } | { kind: 'end'; at: number };

function fail(message: string, at?: number): never {
  throw new LoreError({ code: 'PARSE_ERROR', message: at === undefined ? message : `${message} (at character ${at + 1})` });
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const number = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (number) {
      tokens.push({ kind: 'number', value: Number(number[0]), at: i });
      i += number[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i, i + 100));
    if (name) {
      tokens.push({ kind: 'name', value: name[0], at: i });
      i += name[0].length;
      continue;
    }
    if (text.startsWith('**', i)) {
      tokens.push({ kind: 'op', value: '^', at: i });
      i += 2;
      continue;
    }
    // × and ÷ as people paste them; ⁄ and − likewise.
    const op = ({ '×': '*', '÷': '/', '−': '-', '⁄': '/' } as Record<string, string>)[ch] ?? ch;
    if ('+-*/%^(),'.includes(op)) {
      tokens.push({ kind: 'op', value: op, at: i });
      i++;
      continue;
    }
    fail(`Unexpected character "${ch}"`, i);
  }
  tokens.push({ kind: 'end', at: text.length });
  return tokens;
}

class Parser {
  private position = 0;
  private depth = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.position]!;
  }

  private isOp(value: string): boolean {
    const t = this.peek();
    return t.kind === 'op' && t.value === value;
  }

  private expectOp(value: string): void {
    const t = this.peek();
    if (t.kind !== 'op' || t.value !== value) fail(`Expected "${value}"`, t.at);
    this.position++;
  }

  parse(): number {
    const value = this.expression();
    const t = this.peek();
    if (t.kind !== 'end') fail(`Unexpected ${describe(t)}`, t.at);
    return value;
  }

  private nested<T>(fn: () => T): T {
    if (++this.depth > MAX_DEPTH) fail('The expression is nested too deeply');
    try {
      return fn();
    } finally {
      this.depth--;
    }
  }

  private expression(): number {
    return this.nested(() => {
      let value = this.term();
      while (this.isOp('+') || this.isOp('-')) {
        const op = (this.tokens[this.position++] as { value: string }).value;
        const right = this.term();
        value = op === '+' ? value + right : value - right;
      }
      return value;
    });
  }

  private term(): number {
    let value = this.unary();
    while (this.isOp('*') || this.isOp('/') || this.isOp('%')) {
      const token = this.tokens[this.position++] as { value: string; at: number };
      const right = this.unary();
      if ((token.value === '/' || token.value === '%') && right === 0) fail('Division by zero', token.at);
      value = token.value === '*' ? value * right : token.value === '/' ? value / right : value % right;
    }
    return value;
  }

  private unary(): number {
    return this.nested(() => {
      if (this.isOp('-')) {
        this.position++;
        return -this.unary();
      }
      if (this.isOp('+')) {
        this.position++;
        return this.unary();
      }
      return this.power();
    });
  }

  private power(): number {
    const base = this.primary();
    if (this.isOp('^')) {
      this.position++;
      return base ** this.unary();
    }
    return base;
  }

  private primary(): number {
    const t = this.peek();
    if (t.kind === 'number') {
      this.position++;
      return t.value;
    }
    if (t.kind === 'op' && t.value === '(') {
      this.position++;
      const value = this.expression();
      this.expectOp(')');
      return value;
    }
    if (t.kind === 'name') {
      this.position++;
      const key = t.value.toLowerCase();
      if (this.isOp('(')) {
        const def = Object.hasOwn(FUNCTIONS, key) ? FUNCTIONS[key] : undefined;
        if (!def) fail(`Unknown function "${t.value}"; the functions are ${CALCULATOR_FUNCTIONS.join(', ')}`, t.at);
        this.position++;
        const args: number[] = [];
        if (!this.isOp(')')) {
          args.push(this.expression());
          while (this.isOp(',')) {
            this.position++;
            args.push(this.expression());
          }
        }
        this.expectOp(')');
        if (args.length < def.min || args.length > def.max) {
          fail(`${key}() takes ${def.min === def.max ? def.min : `${def.min} to ${def.max}`} argument${def.max === 1 ? '' : 's'}, not ${args.length}`, t.at);
        }
        return def.fn(...args);
      }
      if (Object.hasOwn(CONSTANTS, key)) return CONSTANTS[key]!;
      fail(`Unknown name "${t.value}"; the constants are ${CALCULATOR_CONSTANTS.join(', ')}`, t.at);
    }
    fail(`Expected a number, a name or "(" but found ${describe(t)}`, t.at);
  }
}

function describe(t: Token): string {
  return t.kind === 'end' ? 'the end of the expression' : `"${String(t.value)}"`;
}

/**
 * The value of an arithmetic expression: + - * / % ^ (or **), parentheses, unary minus, the functions in
 * CALCULATOR_FUNCTIONS and the constants pi and e. Throws PARSE_ERROR with a message meant for the model
 * that wrote it (what was unexpected, and where); a result that is not a finite number is an error too.
 */
export function evaluateExpression(options: { expression: string }): number {
  const text = options.expression;
  if (text.length > MAX_LENGTH) fail(`The expression is longer than ${MAX_LENGTH} characters`);
  if (!text.trim()) fail('The expression is empty');
  const value = new Parser(tokenize(text)).parse();
  if (Number.isNaN(value)) fail('The result is not a number (e.g. the square root or logarithm of a negative number)');
  if (!Number.isFinite(value)) fail('The result is infinite or too large');
  return value;
}

/** 0.1 + 0.2 shown as 0.3: fifteen significant digits are all a double holds reliably. */
export function formatNumber(value: number): string {
  const rounded = Number(value.toPrecision(15));
  return Object.is(rounded, -0) ? '0' : String(rounded);
}
