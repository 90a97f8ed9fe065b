import { InvalidArgumentError } from 'commander';

/** "100MB", "512k", "2G" or plain bytes. */
export function parseSize(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i.exec(value.trim());
  if (!m) throw new InvalidArgumentError('expected a size such as 100MB, 512KB or 1048576');
  const power = ' kmgt'.indexOf((m[2] || ' ').toLowerCase());
  return Math.round(Number(m[1]) * 1024 ** power);
}

export function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
}

/** Repeatable option: --include a --include b, or --include a,b. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];
}

/** --where key=value (repeatable): equality on metadata fields; numbers and booleans are typed. */
export function collectWhere(value: string, previous: Record<string, string | number | boolean> = {}): Record<string, string | number | boolean> {
  const i = value.indexOf('=');
  if (i <= 0) throw new InvalidArgumentError('expected key=value');
  const raw = value.slice(i + 1);
  const typed = raw === 'true' ? true : raw === 'false' ? false : raw !== '' && !Number.isNaN(Number(raw)) ? Number(raw) : raw;
  return { ...previous, [value.slice(0, i)]: typed };
}
