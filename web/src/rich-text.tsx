import type { ComponentChildren } from 'preact';
import type { Citation } from './api.js';
import { baseName, locationParts } from './format.js';

// Answers are model output: they are turned into elements here, piece by piece, and every piece of text
// stays a text node. No HTML string is ever parsed, so `<script>` in an answer is just seven characters.

export interface CiteHandler {
  (citation: Citation, trigger: HTMLElement): void;
}

interface InlineContext {
  citations: readonly Citation[];
  final: boolean;
  onCite: CiteHandler;
}

const INLINE = /\*\*([^*\n]+)\*\*|`([^`\n]+)`|\[(\d{1,3}(?:\s*[,，]\s*\d{1,3})*)\]/g;

export function citationLabel(c: Citation): string {
  return [`Source ${c.n}: ${c.title || baseName(c.source)}`, ...locationParts(c.page, c.headingPath)].join(', ');
}

function CiteChip({ n, ctx }: { n: number; ctx: InlineContext }) {
  const citation = ctx.citations.find((c) => c.n === n);
  if (!citation) {
    // While streaming, the citations are not known yet; a marker with no source after that is plain text.
    return ctx.final ? <>{`[${n}]`}</> : <span class="cite cite-pending" aria-hidden="true">{n}</span>;
  }
  return (
    <button type="button" class="cite" data-cite={n} aria-label={citationLabel(citation)} title={citationLabel(citation)} onClick={(e) => ctx.onCite(citation, e.currentTarget)}>
      {n}
    </button>
  );
}

function inline(text: string, ctx: InlineContext): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    const at = m.index ?? 0;
    if (at > last) out.push(text.slice(last, at));
    if (m[1] !== undefined) out.push(<strong>{m[1]}</strong>);
    else if (m[2] !== undefined) out.push(<code>{m[2]}</code>);
    else if (m[3] !== undefined) {
      for (const n of m[3].split(/\s*[,，]\s*/)) out.push(<CiteChip n={Number(n)} ctx={ctx} />);
    }
    last = at + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

function lines(block: string, ctx: InlineContext): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  block.split('\n').forEach((line, i) => {
    if (i > 0) out.push(<br />);
    out.push(...inline(line, ctx));
  });
  return out;
}

const BULLET = /^\s*[-*•]\s+/;
const NUMBERED = /^\s*\d{1,3}[.)]\s+/;
const HEADING = /^#{1,4}\s+/;

function Block({ block, ctx }: { block: string; ctx: InlineContext }) {
  const rows = block.split('\n').filter((l) => l.trim() !== '');
  if (rows.length > 0 && rows.every((l) => BULLET.test(l))) {
    return <ul>{rows.map((l) => <li>{inline(l.replace(BULLET, ''), ctx)}</li>)}</ul>;
  }
  if (rows.length > 0 && rows.every((l) => NUMBERED.test(l))) {
    return <ol>{rows.map((l) => <li>{inline(l.replace(NUMBERED, ''), ctx)}</li>)}</ol>;
  }
  if (rows.length === 1 && HEADING.test(rows[0]!)) return <p class="rich-heading">{inline(rows[0]!.replace(HEADING, ''), ctx)}</p>;
  return <p>{lines(block.trim(), ctx)}</p>;
}

/** Answer text with light formatting (paragraphs, lists, **bold**, `code`, fenced code) and [n] citation chips. */
export function RichText({ text, citations, final, onCite }: { text: string; citations: readonly Citation[]; final: boolean; onCite: CiteHandler }) {
  const ctx: InlineContext = { citations, final, onCite };
  const parts: ComponentChildren[] = [];
  const fence = /```[^\n]*\n?([\s\S]*?)(?:```|$)/g;
  let last = 0;
  const prose = (chunk: string) => {
    for (const block of chunk.split(/\n{2,}/)) if (block.trim()) parts.push(<Block block={block} ctx={ctx} />);
  };
  for (const m of text.matchAll(fence)) {
    prose(text.slice(last, m.index));
    parts.push(
      <pre>
        <code>{m[1]}</code>
      </pre>,
    );
    last = (m.index ?? 0) + m[0].length;
  }
  prose(text.slice(last));
  return <div class="rich">{parts}</div>;
}
