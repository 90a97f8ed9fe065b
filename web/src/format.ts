/** The file name of a source path or URL, for display. */
export function baseName(source: string): string {
  const clean = source.replace(/[?#].*$/, '').replace(/[\\/]+$/, '');
  const name = clean.slice(Math.max(clean.lastIndexOf('/'), clean.lastIndexOf('\\')) + 1);
  return name || source;
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

export function timeAgo(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const s = Math.round((t - now) / 1000);
  const abs = Math.abs(s);
  if (abs < 45) return 'just now';
  if (abs < 3600) return relative.format(Math.round(s / 60), 'minute');
  if (abs < 86_400) return relative.format(Math.round(s / 3600), 'hour');
  if (abs < 86_400 * 30) return relative.format(Math.round(s / 86_400), 'day');
  return new Date(t).toLocaleDateString();
}

/** "Page 3 · Gearbox › Oil" for a passage. */
export function locationParts(page: number | null | undefined, headingPath: readonly string[] | undefined): string[] {
  const parts: string[] = [];
  if (page !== null && page !== undefined) parts.push(`Page ${page}`);
  if (headingPath && headingPath.length > 0) parts.push(headingPath.join(' › '));
  return parts;
}

export function formatScore(score: number | undefined): string {
  if (score === undefined || !Number.isFinite(score)) return '–';
  if (Math.abs(score) >= 100) return score.toFixed(0);
  if (Math.abs(score) >= 10) return score.toFixed(1);
  return score.toFixed(3);
}

/** A model's name for people: \`writer\` for \`openai-compatible:http://…#writer\`, \`qwen2.5:7b\` for \`ollama:qwen2.5:7b\`. */
export function modelLabel(spec: string): string {
  if (spec.startsWith('openai-compatible:')) return spec.slice(spec.lastIndexOf('#') + 1) || 'model';
  const colon = spec.indexOf(':');
  return colon > 0 && !/^https?:/.test(spec) ? spec.slice(colon + 1) : spec;
}

export const COLLECTION_NAME = /^[\p{L}\p{N}][\p{L}\p{N}_.-]{0,63}$/u;

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
