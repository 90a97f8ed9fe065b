import type { Command } from 'commander';
import type { ResolveModelOptions } from '../../models/resolve-model.js';
import { parseCount } from './parse-options.js';

export interface GgufCliOptions {
  draft?: string;
  ctx?: number;
  threads?: number;
  flashAttention?: boolean;
  kvReuse?: boolean;
}

/** The options of commands that can run a `gguf:PATH` model in-process. */
export function addGgufOptions(command: Command): Command {
  return command
    .option('--draft <spec>', 'gguf models: a small draft model for speculative decoding, e.g. gguf:./qwen2.5-0.5b.gguf')
    .option('--ctx <n>', "gguf models: context size in tokens (default: the model's, at most 8192)", parseCount)
    .option('--threads <n>', 'gguf models: CPU threads (default: all cores; 1 for tiny models)', parseCount)
    .option('--flash-attention', 'gguf models: use flash attention (faster on long prompts where supported)')
    .option('--no-kv-reuse', 'gguf models: evaluate every prompt from scratch instead of reusing the shared prefix');
}

export function ggufSettings(opts: GgufCliOptions): ResolveModelOptions['gguf'] {
  return {
    draft: opts.draft,
    contextSize: opts.ctx,
    threads: opts.threads,
    flashAttention: opts.flashAttention,
    reuseKvCache: opts.kvReuse,
  };
}
