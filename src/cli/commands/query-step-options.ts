import { InvalidArgumentError, Option, type Command } from 'commander';
import type { QueryTransforms } from '../../retrieve/query/expand-query.js';
import { DEFAULT_REPHRASINGS } from '../../retrieve/query/multi-query.js';
import type { RouteMethod } from '../../retrieve/query/route-question.js';
import { ROUTE_METHODS } from '../../retrieve/query/route-question.js';
import { LoreError } from '../../spec/errors.js';
import type { LanguageModel } from '../../spec/models.js';

/** The question-side retrieval steps, as `lore ask` and `lore eval rag` take them. */
export interface QueryStepCliOptions {
  multiQuery?: number | true;
  hyde?: boolean;
  route?: RouteMethod;
  selfQuery?: boolean;
}

function parsePositive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
}

/** Adds --multi-query, --hyde, --self-query and --route (the same flags, help and parsing on every command). */
export function addQueryStepOptions(command: Command): Command {
  return command
    .option('--multi-query [n]', 'with a model: search n rephrasings of the question too, and fuse (default 3)', parsePositive)
    .option('--hyde', 'with a model: also search with a hypothetical answer the model writes')
    .option('--self-query', 'with a model: turn conditions in the question ("reports from 2023 in the Shanghai folder") into filters checked against the collection')
    .addOption(new Option('--route <method>', 'pick the collection for the question (when -c is not given) by rules, embedding or model').choices(ROUTE_METHODS as string[]));
}

/** Whether any of the steps asked for needs a language model. */
export function queryStepsNeedModel(opts: QueryStepCliOptions): boolean {
  return Boolean(opts.multiQuery || opts.hyde || opts.route === 'model' || opts.selfQuery);
}

/** Refuses steps that need a model when there is none, before anything runs. */
export function requireModelForSteps(needed: boolean, model: LanguageModel | undefined): void {
  if (needed && !model) throw new LoreError({ code: 'INVALID_ARGUMENT', message: 'this retrieval step needs a language model', hint: 'give --model SPEC or set LORE_MODEL' });
}

/** The transforms for `retrieve()`, or undefined when none is on. */
export function queryTransforms(opts: QueryStepCliOptions, model: LanguageModel | undefined): (QueryTransforms & { model: LanguageModel }) | undefined {
  return model && (opts.multiQuery || opts.hyde) ? { model, multiQuery: opts.multiQuery, hyde: opts.hyde } : undefined;
}

/** The steps on, as text for stored runs and reports: `multi-query:3+hyde+route:rules`, or `none`. */
export function formatQuerySteps(opts: QueryStepCliOptions): string {
  const parts: string[] = [];
  if (opts.route) parts.push(`route:${opts.route}`);
  if (opts.selfQuery) parts.push('self-query');
  if (opts.multiQuery) parts.push(`multi-query:${opts.multiQuery === true ? DEFAULT_REPHRASINGS : opts.multiQuery}`);
  if (opts.hyde) parts.push('hyde');
  return parts.join('+') || 'none';
}
