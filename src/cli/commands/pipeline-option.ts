import { InvalidArgumentError } from 'commander';
import type { PipelineSteps } from '../../retrieve/pipeline.js';
import { parsePipeline } from '../../retrieve/pipeline-spec.js';
import { isLoreError } from '../../spec/errors.js';

/** `--pipeline <steps>` as commander parses it: a bad step is a usage error (exit code 2) naming the step. */
export function pipelineOption(value: string): PipelineSteps {
  try {
    return parsePipeline(value);
  } catch (error) {
    throw new InvalidArgumentError(isLoreError(error) ? error.message : String(error));
  }
}
