import type { Span } from './span.js';

/** A run of text under one heading (or before the first), from its heading line to the next heading line. */
export interface MarkdownSection extends Span {
  /** 1–6 for a heading section, 0 for the text before the first heading. */
  level: number;
  /** The headings this section sits under, outermost first, its own heading last. */
  headingPath: string[];
}

export interface MarkdownOutline {
  /** Sections in order; together they tile the text. */
  sections: MarkdownSection[];
  /** Fenced code blocks, fences included (an unclosed fence runs to the end, as in CommonMark). */
  fences: Span[];
}

const ATX_HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$/;
const CLOSING_HASHES = /(?:^|[ \t]+)#+[ \t]*$/;
const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const FENCE_CLOSE = /^ {0,3}(`{3,}|~{3,})[ \t]*$/;

/**
 * Finds ATX headings (`#` … `######`) and fenced code blocks (``` and ~~~). Lines inside a fence are code,
 * so a `# comment` in a shell listing is not a heading. The whole text is parsed once, so a heading on one
 * PDF page still governs the top of the next.
 */
export function parseMarkdownOutline({ text }: { text: string }): MarkdownOutline {
  const sections: MarkdownSection[] = [];
  const fences: Span[] = [];
  const stack: Array<{ level: number; title: string }> = [];
  let sectionStart = 0;
  let sectionLevel = 0;
  let sectionPath: string[] = [];
  let fence: { marker: string; length: number; start: number } | undefined;

  for (let lineStart = 0; lineStart <= text.length; ) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline < 0 ? text.length : newline;
    const line = text.slice(lineStart, lineEnd).replace(/\r$/, '');

    if (fence) {
      const close = FENCE_CLOSE.exec(line);
      if (close?.[1] && close[1][0] === fence.marker && close[1].length >= fence.length) {
        fences.push({ start: fence.start, end: lineEnd });
        fence = undefined;
      }
    } else {
      const open = FENCE_OPEN.exec(line);
      const heading = open ? null : ATX_HEADING.exec(line);
      // A backtick fence's info string may not contain backticks (that is inline code, not a fence).
      if (open?.[1] && !(open[1][0] === '`' && (open[2] ?? '').includes('`'))) {
        fence = { marker: open[1][0] ?? '`', length: open[1].length, start: lineStart };
      } else if (heading?.[1]) {
        const level = heading[1].length;
        const title = (heading[2] ?? '').replace(CLOSING_HASHES, '').trim();
        if (lineStart > sectionStart) {
          sections.push({ start: sectionStart, end: lineStart, level: sectionLevel, headingPath: sectionPath });
        }
        while ((stack[stack.length - 1]?.level ?? 0) >= level) stack.pop();
        stack.push({ level, title });
        sectionStart = lineStart;
        sectionLevel = level;
        sectionPath = stack.map((h) => h.title);
      }
    }
    if (newline < 0) break;
    lineStart = newline + 1;
  }
  if (fence) fences.push({ start: fence.start, end: text.length });
  if (text.length > sectionStart || sections.length === 0) {
    sections.push({ start: sectionStart, end: text.length, level: sectionLevel, headingPath: sectionPath });
  }
  return { sections, fences };
}

/** The heading path in force at an offset (a fresh array the caller may keep). */
export function headingPathAt({ outline, offset }: { outline: MarkdownOutline; offset: number }): string[] {
  const section = outline.sections[sectionIndexAt(outline.sections, offset)];
  return section ? [...section.headingPath] : [];
}

/** Index of the last section starting at or before `offset` (0 when none does). */
export function sectionIndexAt(sections: MarkdownSection[], offset: number): number {
  let lo = 0;
  let hi = sections.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((sections[mid]?.start ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return Math.max(0, lo);
}
