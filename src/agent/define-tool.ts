import type { z } from 'zod';
import type { Tool, ToolContext, ToolOutput, ToolRisk } from '../spec/tool.js';

export interface DefineToolOptions<S extends z.ZodType> {
  name: string;
  description: string;
  parameters: S;
  risk: ToolRisk;
  execute(args: z.output<S>, context: ToolContext): Promise<ToolOutput>;
}

/**
 * A tool whose arguments are typed from its zod schema. The agent validates with the same schema before
 * calling, so `execute` can trust the type.
 */
export function defineTool<S extends z.ZodType>(options: DefineToolOptions<S>): Tool<z.output<S>> {
  return { name: options.name, description: options.description, parameters: options.parameters, risk: options.risk, execute: options.execute };
}
