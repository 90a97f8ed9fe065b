import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The shared evaluation datasets: `LORE_DATASETS`, else `../shared/datasets` next to the checkout (the
 * layout of the development machines), else /work/shared/datasets. Undefined when none exists, so tests
 * that need real data can skip with a message instead of failing on a machine without it.
 */
export function findDatasets(): string | undefined {
  const candidates = [
    process.env['LORE_DATASETS'],
    fileURLToPath(new URL('../../../../shared/datasets', import.meta.url)),
    '/work/shared/datasets',
  ];
  return candidates.find((dir): dir is string => Boolean(dir) && existsSync(`${dir}/cranfield/corpus.jsonl`));
}
