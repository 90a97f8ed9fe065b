import { LoreError } from '../spec/errors.js';
import type { PipelineSteps } from './pipeline.js';

/** What `--pipeline` accepts, for help texts. */
export const PIPELINE_SYNTAX = [
  'comma-separated steps, each NAME or NAME:VALUE; they run in the order search → rerank → context → compress',
  '  mmr[:λ]              rerank for diversity (maximal marginal relevance), λ 0–1, default 0.7',
  '  embedding[:w]        rerank by query–chunk embedding similarity blended with the retrieval score, weight 0–1, default 0.3',
  '  window[:n]           hand back each hit with n neighbouring chunks on each side (default 1)',
  '  sentences[:n]        hand back each hit with n neighbouring sentences on each side (default 1)',
  '  parent[:tokens]      hand back the section around each hit (same heading path), up to tokens (default 1000)',
  '  compress[:tokens]    keep only the sentences that bear on the query, tokens for the whole context (default 1000)',
  '  candidates:n         hits the reranker reorders (default max(k, 50); lore eval retrieval: 100)',
  '  none                 no steps',
].join('\n');

/**
 * Parses a pipeline written as text, e.g. `mmr`, `embedding:0.2`, `mmr:0.5,window:1`, `parent:800,compress:600`.
 * At most one reranker and one context step; the execution order is fixed whatever the written order.
 */
export function parsePipeline(text: string): PipelineSteps {
  const steps: PipelineSteps = {};
  const fail = (message: string) => new LoreError({ code: 'INVALID_ARGUMENT', message, hint: 'write steps such as mmr, mmr:0.5,window:1 or parent:800,compress:600 (see --help)', subject: text });
  for (const raw of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const colon = raw.indexOf(':');
    const name = (colon < 0 ? raw : raw.slice(0, colon)).toLowerCase();
    const value = colon < 0 ? undefined : raw.slice(colon + 1);
    const number = (min: number, max: number, whole: boolean): number | undefined => {
      if (value === undefined) return undefined;
      const n = Number(value);
      if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max || (whole && !Number.isInteger(n))) {
        throw fail(`"${raw}": expected ${whole ? 'a whole number' : 'a number'} from ${min} to ${max}`);
      }
      return n;
    };
    const once = (kind: 'rerank' | 'context' | 'compress' | 'candidates') => {
      if (steps[kind] !== undefined) throw fail(`"${raw}": only one ${kind === 'rerank' ? 'reranker' : kind === 'context' ? 'context step' : kind} step`);
    };
    switch (name) {
      case 'none':
        break;
      case 'mmr':
        once('rerank');
        steps.rerank = 'mmr';
        if (value !== undefined) steps.mmrLambda = number(0, 1, false);
        break;
      case 'embedding':
      case 'embedding-rerank':
        once('rerank');
        steps.rerank = 'embedding';
        if (value !== undefined) steps.rerankWeight = number(0, 1, false);
        break;
      case 'window':
      case 'sentences':
        once('context');
        steps.context = { mode: 'window', window: number(0, 100, true) ?? 1, ...(name === 'sentences' ? { unit: 'sentence' as const } : {}) };
        break;
      case 'parent':
        once('context');
        steps.context = { mode: 'parent', ...(value !== undefined ? { maxTokens: number(1, 1e6, true) } : {}) };
        break;
      case 'compress':
        once('compress');
        steps.compress = value !== undefined ? { maxTokens: number(1, 1e6, true) } : {};
        break;
      case 'candidates':
        once('candidates');
        if (value === undefined) throw fail('"candidates" needs a number, e.g. candidates:100');
        steps.candidates = number(1, 10000, true);
        break;
      default:
        throw fail(`Unknown pipeline step "${name}"`);
    }
  }
  return steps;
}

/** The steps written back as text (for reports), in execution order; `none` when there are none. */
export function formatPipeline(steps: PipelineSteps): string {
  const parts: string[] = [];
  if (steps.rerank === 'mmr') parts.push(steps.mmrLambda !== undefined ? `mmr:${steps.mmrLambda}` : 'mmr');
  else if (steps.rerank === 'embedding') parts.push(steps.rerankWeight !== undefined ? `embedding:${steps.rerankWeight}` : 'embedding');
  else if (steps.rerank && steps.rerank !== 'none') parts.push(steps.rerank.id);
  if (steps.candidates !== undefined) parts.push(`candidates:${steps.candidates}`);
  const c = steps.context;
  if (c) parts.push(c.mode === 'parent' ? (c.maxTokens ? `parent:${c.maxTokens}` : 'parent') : `${c.unit === 'sentence' ? 'sentences' : 'window'}:${c.window ?? 1}`);
  if (steps.compress) parts.push(steps.compress.maxTokens ? `compress:${steps.compress.maxTokens}` : 'compress');
  return parts.join(',') || 'none';
}
