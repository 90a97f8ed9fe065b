import type { Metadata } from '../../spec/document.js';

/**
 * YAML front matter (`---` … `---` at the very top of a Markdown file). Only the flat subset that front
 * matter uses in practice is read: `key: scalar`, inline lists `[a, b]`, block lists of `- item` and block
 * scalars (`|`, `>`). Nested maps are skipped with a warning rather than misread; a full YAML parser is not
 * worth a dependency here.
 */

export interface FrontMatter {
  metadata: Metadata;
  /** The Markdown after the front matter. */
  body: string;
  warnings: string[];
}

const FENCE = /^---[ \t]*\n(?:([\s\S]*?)\n)?(?:---|\.\.\.)[ \t]*(?:\n|$)/;
type Scalar = string | number | boolean | null;

export function parseFrontMatter({ text }: { text: string }): FrontMatter {
  const match = FENCE.exec(text);
  if (!match) return { metadata: {}, body: text, warnings: [] };
  const metadata: Metadata = {};
  let skipped = false;
  const lines = (match[1] ?? '').split('\n');
  const indented = (line: string | undefined): boolean => line !== undefined && (/^\s+\S/.test(line) || line.trim() === '');

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '' || line.startsWith('#')) continue;
    const pair = /^([^\s#:][^:]*?)\s*:(?:\s+(.*))?$/.exec(line);
    if (!pair) {
      skipped = true;
      continue;
    }
    const key = pair[1]!.replace(/^["']|["']$/g, '');
    const raw = stripComment(pair[2] ?? '');
    // The indented lines that belong to this key.
    const block: string[] = [];
    while (i + 1 < lines.length && indented(lines[i + 1])) block.push(lines[++i]!);
    while (block.length > 0 && block[block.length - 1]!.trim() === '') block.pop();

    if (/^[|>][+-]?$/.test(raw)) {
      const width = Math.min(...block.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length));
      const body = block.map((l) => l.slice(width));
      metadata[key] = raw.startsWith('|') ? body.join('\n') : body.join(' ').replace(/\s+/g, ' ').trim();
    } else if (raw === '') {
      const items = block.filter((l) => l.trim() !== '');
      if (items.length > 0 && items.every((l) => /^\s*-\s/.test(l) || /^\s*-$/.test(l))) {
        metadata[key] = items.map((l) => scalar(l.replace(/^\s*-\s?/, '')));
      } else if (items.length === 0) {
        metadata[key] = null;
      } else {
        skipped = true;
      }
    } else if (raw.startsWith('[') && raw.endsWith(']')) {
      metadata[key] = splitInlineList(raw.slice(1, -1)).map(scalar);
    } else if (raw.startsWith('{') || raw.startsWith('&') || raw.startsWith('*')) {
      skipped = true;
    } else {
      metadata[key] = scalar(block.length > 0 ? `${raw} ${block.map((l) => l.trim()).join(' ')}` : raw);
    }
  }
  const warnings = skipped ? ['front matter: nested or unusual values were skipped; only flat keys and lists become metadata'] : [];
  return { metadata, body: text.slice(match[0].length), warnings };
}

function stripComment(raw: string): string {
  const trimmed = raw.trim();
  if (trimmed.startsWith('"') || trimmed.startsWith("'")) return trimmed;
  return trimmed.replace(/\s+#.*$/, '');
}

function splitInlineList(inner: string): string[] {
  const out: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (const ch of inner) {
    if (quote) {
      current += ch;
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      current += ch;
    } else if (ch === ',') {
      out.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim() !== '') out.push(current.trim());
  return out;
}

function scalar(raw: string): Scalar {
  const value = stripComment(raw);
  if (/^".*"$/.test(value)) {
    try {
      return JSON.parse(value) as string;
    } catch {
      return value.slice(1, -1);
    }
  }
  if (/^'.*'$/.test(value)) return value.slice(1, -1).replace(/''/g, "'");
  if (/^(true|yes|on)$/i.test(value)) return true;
  if (/^(false|no|off)$/i.test(value)) return false;
  if (/^(null|~)$/i.test(value) || value === '') return null;
  // Plain decimal numbers only: "007" or "1e3" in front matter are usually meant as text.
  if (/^-?(0|[1-9]\d*)(\.\d+)?$/.test(value)) return Number(value);
  return value;
}
