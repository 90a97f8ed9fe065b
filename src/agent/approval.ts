import type { ToolRisk } from '../spec/tool.js';
import type { AgentToolCall } from './agent-events.js';

/** What a person is asked to approve: the call, as the model made it, and what the tool can do. */
export interface ApprovalRequest {
  call: AgentToolCall;
  /** The validated arguments the tool would receive. */
  arguments: unknown;
  tool: { name: string; description: string; risk: ToolRisk };
}

export type ApproveFunction = (request: ApprovalRequest) => Promise<boolean>;

export interface ApprovalPolicy {
  /** Risk levels (`write`, `network`) and tool names that run without asking. */
  allow?: readonly string[];
  /** Asked about every other risky call; without it, such calls are refused. */
  approve?: ApproveFunction;
}

export type ApprovalDecision = { approved: true; by?: 'config' | 'person' } | { approved: false };

/**
 * `read` tools always run. A `write` or `network` tool runs when configuration allows its risk level or
 * its name, else when the person asked says yes; with no one to ask, it is refused. A name in `allow` is
 * an explicit choice for that tool, so it wins over the risk level.
 */
export async function decideApproval(options: { policy: ApprovalPolicy; request: ApprovalRequest }): Promise<ApprovalDecision> {
  const { policy, request } = options;
  if (request.tool.risk === 'read') return { approved: true };
  const allow = policy.allow ?? [];
  if (allow.includes(request.tool.name) || allow.includes(request.tool.risk)) return { approved: true, by: 'config' };
  if (!policy.approve) return { approved: false };
  // A throwing approver counts as "no": failing closed is the only safe reading.
  const yes = await policy.approve(request).catch(() => false);
  return yes === true ? { approved: true, by: 'person' } : { approved: false };
}
