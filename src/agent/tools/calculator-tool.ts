import { z } from 'zod';
import type { Tool } from '../../spec/tool.js';
import { defineTool } from '../define-tool.js';
import { CALCULATOR_FUNCTIONS, evaluateExpression, formatNumber } from './evaluate-expression.js';

const parameters = z.object({
  expression: z.string().min(1).max(2000).describe('An arithmetic expression, e.g. "(1200 - 350) * 0.2 + sqrt(16)"'),
});

/** Arithmetic the model should not do in its head. Read-only: it touches nothing. */
export function createCalculatorTool(): Tool<z.output<typeof parameters>> {
  return defineTool({
    name: 'calculator',
    description: `Evaluates an arithmetic expression exactly: + - * / % ^, parentheses, the constants pi and e, and the functions ${CALCULATOR_FUNCTIONS.join(', ')} (log is natural; log(x, base) for others; round(x, n) to n decimals). Use it for any calculation instead of working it out yourself.`,
    parameters,
    risk: 'read',
    execute: async ({ expression }) => {
      const value = evaluateExpression({ expression });
      return { content: `${expression.trim()} = ${formatNumber(value)}`, data: { value } };
    },
  });
}
