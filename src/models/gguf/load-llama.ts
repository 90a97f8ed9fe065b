import { getLlama, type Llama, type LlamaModel, LlamaLogLevel } from 'node-llama-cpp';
import { LoreError } from '../../spec/errors.js';

export interface LlamaRuntimeOptions {
  /**
   * Use a GPU backend (CUDA, Metal, Vulkan) when node-llama-cpp has a prebuilt one for this machine.
   * Default false: the CPU binary loads everywhere in a fraction of a second, and probing GPUs costs seconds.
   */
  gpu?: boolean;
}

const runtimes = new Map<string, Promise<Llama>>();

/**
 * One llama.cpp runtime per process (per GPU choice), created on first use. `build: 'never'`: a missing
 * prebuilt binary is an error to report, not a reason to start a CMake build or a download mid-request.
 */
export function getSharedLlama(options: LlamaRuntimeOptions = {}): Promise<Llama> {
  const key = options.gpu ? 'auto' : 'cpu';
  let runtime = runtimes.get(key);
  if (!runtime) {
    runtime = getLlama({ gpu: options.gpu ? 'auto' : false, build: 'never', logLevel: LlamaLogLevel.warn }).catch((cause: unknown) => {
      runtimes.delete(key);
      throw new LoreError({
        code: 'PROVIDER_ERROR',
        message: `Could not start llama.cpp (node-llama-cpp): ${(cause as Error)?.message ?? cause}`,
        hint: 'node-llama-cpp has no prebuilt binary for this platform or it failed to load; see https://node-llama-cpp.withcat.ai/guide/building-from-source',
        cause,
      });
    });
    runtimes.set(key, runtime);
  }
  return runtime;
}

export interface LoadModelOptions extends LlamaRuntimeOptions {
  path: string;
  /** Layers to offload to the GPU (only with `gpu: true`; default 'auto' there, 0 on the CPU runtime). */
  gpuLayers?: number | 'auto' | 'max';
}

export interface SharedModel {
  llama: Llama;
  model: LlamaModel;
  /** Drops this holder's reference; the weights are freed when the last holder lets go. */
  release(): Promise<void>;
}

interface CacheEntry {
  loading: Promise<{ llama: Llama; model: LlamaModel }>;
  holders: number;
}
const models = new Map<string, CacheEntry>();

/**
 * Loads a GGUF file once per process however many chat models and embedders use it (a 4 GB model loaded
 * twice is 8 GB), counting holders so `close()` on one does not pull the weights from under another.
 */
export async function acquireModel(options: LoadModelOptions): Promise<SharedModel> {
  const gpuLayers = options.gpu ? (options.gpuLayers ?? 'auto') : 0;
  const key = JSON.stringify([options.path, Boolean(options.gpu), gpuLayers]);
  let entry = models.get(key);
  if (!entry) {
    const loading = (async () => {
      const llama = await getSharedLlama(options);
      try {
        const model = await llama.loadModel({ modelPath: options.path, gpuLayers });
        return { llama, model };
      } catch (cause) {
        throw new LoreError({
          code: 'PROVIDER_ERROR',
          message: `llama.cpp could not load ${options.path}: ${(cause as Error)?.message ?? cause}`,
          hint: 'the file may be damaged (re-download it), or use a newer model architecture than this llama.cpp knows',
          subject: options.path,
          cause,
        });
      }
    })();
    entry = { loading, holders: 0 };
    models.set(key, entry);
    loading.catch(() => models.delete(key));
  }
  entry.holders++;
  const held = entry;
  let loaded: { llama: Llama; model: LlamaModel };
  try {
    loaded = await held.loading;
  } catch (error) {
    held.holders--;
    throw error;
  }
  let released = false;
  return {
    ...loaded,
    async release() {
      if (released) return;
      released = true;
      held.holders--;
      if (held.holders === 0 && models.get(key) === held) {
        models.delete(key);
        await loaded.model.dispose();
      }
    },
  };
}

/**
 * Threads for a context. A small model's per-token matrix products are too short to split: on the
 * two-core test machine a 26 MB model generated 390 tokens/s on one thread and 80 on two (the threads
 * spend their time waiting on each other). Big models are compute-bound and use every math core; never
 * more (node-llama-cpp's default can exceed the cores and oversubscribe them).
 */
export function defaultThreads(options: { llama: Llama; modelBytes: number }): number {
  if (options.modelBytes < 200 * 1024 * 1024) return 1;
  return Math.max(1, options.llama.cpuMathCores);
}
