import { describe, expect, it } from 'vitest';
import { isLoreError } from '../../spec/errors.js';
import { createCalculatorTool } from './calculator-tool.js';
import { evaluateExpression, formatNumber } from './evaluate-expression.js';

const calc = (expression: string) => evaluateExpression({ expression });

/** A seeded generator (mulberry32), so a failing case can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An expression tree, rendered to text and valued by plain JavaScript arithmetic: the reference. */
type Node = { text: string; value: number };

function generate(rand: () => number, depth: number): Node {
  const pick = <T,>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  if (depth <= 0 || rand() < 0.25) {
    const kind = rand();
    if (kind < 0.1) return { text: 'pi', value: Math.PI };
    if (kind < 0.15) return { text: 'e', value: Math.E };
    const n = rand() < 0.5 ? Math.floor(rand() * 100) : Math.round(rand() * 10000) / 100;
    return { text: String(n), value: n };
  }
  const form = rand();
  if (form < 0.55) {
    const op = pick(['+', '-', '*', '/', '%', '^']);
    const left = generate(rand, depth - 1);
    // Small exponents, so results stay finite and comparable.
    const right = op === '^' ? { text: String(Math.floor(rand() * 4)), value: 0 } : generate(rand, depth - 1);
    if (op === '^') right.value = Number(right.text);
    const value =
      op === '+' ? left.value + right.value
      : op === '-' ? left.value - right.value
      : op === '*' ? left.value * right.value
      : op === '/' ? left.value / right.value
      : op === '%' ? left.value % right.value
      : left.value ** right.value;
    // Fully parenthesised: the reference does not depend on precedence, the parser's output must match anyway.
    // A negated base is written in parentheses: -3 ^ 2 means -(3 ^ 2), as in mathematics.
    const base = op === '^' && left.text.startsWith('-') ? `(${left.text})` : left.text;
    return { text: `(${base} ${op} ${right.text})`, value };
  }
  if (form < 0.7) {
    const inner = generate(rand, depth - 1);
    return { text: `-${inner.text.startsWith('-') ? `(${inner.text})` : inner.text}`, value: -inner.value };
  }
  const fn = pick(['sqrt', 'abs', 'round', 'exp', 'sin', 'cos', 'log', 'min', 'max']);
  const a = generate(rand, depth - 1);
  if (fn === 'min' || fn === 'max') {
    const b = generate(rand, depth - 1);
    return { text: `${fn}(${a.text}, ${b.text})`, value: Math[fn](a.value, b.value) };
  }
  if (fn === 'round') return { text: `round(${a.text})`, value: Math.sign(a.value) * Math.round(Math.abs(a.value)) };
  if (fn === 'exp') {
    const small = { text: `(${a.text}) % 5`, value: a.value % 5 };
    return { text: `exp(${small.text})`, value: Math.exp(small.value) };
  }
  const value = fn === 'sqrt' ? Math.sqrt(a.value) : fn === 'abs' ? Math.abs(a.value) : fn === 'sin' ? Math.sin(a.value) : fn === 'cos' ? Math.cos(a.value) : Math.log(a.value);
  return { text: `${fn}(${a.text})`, value };
}

function close(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

describe('evaluateExpression', () => {
  it('follows precedence and associativity', () => {
    expect(calc('1 + 2 * 3')).toBe(7);
    expect(calc('(1 + 2) * 3')).toBe(9);
    expect(calc('2 ^ 3 ^ 2')).toBe(512);
    expect(calc('2 ** 10')).toBe(1024);
    expect(calc('-2 ^ 2')).toBe(-4);
    expect(calc('2 ^ -1')).toBe(0.5);
    expect(calc('10 - 4 - 3')).toBe(3);
    expect(calc('100 / 10 / 5')).toBe(2);
    expect(calc('17 % 5 * 2')).toBe(4);
    expect(calc('--3')).toBe(3);
    expect(calc('1.5e3 + .5')).toBe(1500.5);
    expect(calc('3 × 4 ÷ 2')).toBe(6);
  });

  it('knows its functions and constants', () => {
    expect(calc('sqrt(16) + abs(-3)')).toBe(7);
    expect(calc('round(2.5) + round(-2.5)')).toBe(0);
    expect(calc('round(3.14159, 2)')).toBe(3.14);
    expect(calc('min(4, 2, 8) + max(1, 9)')).toBe(11);
    expect(calc('log(e)')).toBe(1);
    expect(calc('log(1000, 10)')).toBeCloseTo(3, 12);
    expect(calc('exp(0) + sin(0) + cos(0)')).toBe(2);
    expect(calc('PI')).toBe(Math.PI);
    expect(formatNumber(calc('0.1 + 0.2'))).toBe('0.3');
  });

  it('agrees with a reference on 2000 random expressions', () => {
    const rand = random(20240611);
    let compared = 0;
    for (let i = 0; i < 2000; i++) {
      const node = generate(rand, 5);
      if (!Number.isFinite(node.value)) {
        expect(() => calc(node.text), node.text).toThrow();
        continue;
      }
      let got: number;
      try {
        got = calc(node.text);
      } catch (error) {
        // Division (or remainder) by an exact zero is refused rather than answered with Infinity or NaN.
        expect((error as Error).message, node.text).toMatch(/Division by zero/);
        continue;
      }
      expect(close(got, node.value), `${node.text} = ${got}, expected ${node.value}`).toBe(true);
      compared++;
    }
    expect(compared).toBeGreaterThan(1500);
  });

  it('refuses everything that is not arithmetic, naming what and where', () => {
    const refusals: Array<[string, RegExp]> = [
      ['constructor', /Unknown name "constructor"/],
      ['__proto__', /Unknown name "__proto__"/],
      ['process.exit(1)', /Unknown name "process"|Unexpected character "\."/],
      ['constructor.constructor("return process")()', /Unexpected character "\."|Unknown name/],
      ['toString()', /Unknown function "toString"/],
      ['valueOf(1)', /Unknown function "valueOf"/],
      ['hasOwnProperty(1)', /Unknown function "hasOwnProperty"/],
      ['require("fs")', /Unexpected character/],
      ['eval(1)', /Unknown function "eval"/],
      ['Function(1)', /Unknown function "Function"/],
      ['x = 1', /Unknown name "x"|Unexpected character "="/],
      ['1; 2', /Unexpected character ";"/],
      ['[1]', /Unexpected character "\["/],
      ['`1`', /Unexpected character "`"/],
      ['1 +', /Expected a number/],
      ['(1 + 2', /Expected "\)"/],
      ['1 2', /Unexpected "2"/],
      ['', /empty/],
      ['1 / 0', /Division by zero/],
      ['sqrt(-1)', /not a number/],
      ['10 ^ 400', /infinite/],
      ['sqrt(1, 2)', /takes 1 argument/],
      ['('.repeat(500) + '1' + ')'.repeat(500), /nested too deeply/],
    ];
    for (const [expression, message] of refusals) {
      let error: unknown;
      try {
        calc(expression);
      } catch (e) {
        error = e;
      }
      expect(isLoreError(error, 'PARSE_ERROR'), expression).toBe(true);
      expect((error as Error).message, expression).toMatch(message);
    }
  });

  it('is a tool whose failures are messages for the model', async () => {
    const tool = createCalculatorTool();
    const signal = new AbortController().signal;
    await expect(tool.execute({ expression: ' 2 * (3 + 4) ' }, { signal, callId: 'c' })).resolves.toMatchObject({ content: '2 * (3 + 4) = 14', data: { value: 14 } });
    await expect(tool.execute({ expression: 'constructor' }, { signal, callId: 'c' })).rejects.toThrow(/Unknown name "constructor"/);
  });
});
