import { parseDocument } from 'htmlparser2';

/**
 * HTML → Markdown-structured text, for the HTML and DOCX loaders. Only what a reader would call the page's
 * content survives: the `<main>`/`<article>` when there is one, without navigation, scripts, forms or
 * hidden elements. Headings become `#` lines so the Markdown splitter can keep heading paths; paragraphs,
 * list items and table rows each get their own line.
 */

export interface HtmlToMarkdownOptions {
  html: string;
}

export interface HtmlMarkdown {
  markdown: string;
  /** `<title>`, else the first `<h1>`. */
  title?: string;
  /** `<html lang>`. */
  lang?: string;
}

/** The parts of domhandler's node types that are used here (domhandler is htmlparser2's, not ours). */
interface HtmlNode {
  type: string;
  name?: string;
  attribs?: Record<string, string>;
  children?: HtmlNode[];
  data?: string;
  parent?: HtmlNode | null;
}

const DROPPED = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'svg',
  'math',
  'nav',
  'footer',
  'aside',
  'form',
  'iframe',
  'object',
  'embed',
  'canvas',
  'audio',
  'video',
  'map',
  'button',
  'select',
  'textarea',
  'input',
  'dialog',
  'head',
  // htmlparser2 builds no implied <head>: a <title> may sit in the body's flow. It is read separately.
  'title',
  'link',
  'meta',
]);
const DROPPED_ROLES = new Set(['navigation', 'banner', 'contentinfo', 'complementary', 'search', 'menu', 'menubar', 'dialog', 'alert']);
/** Elements that end a line; the rest are inline. */
const PARAGRAPH_BLOCKS = new Set([
  'address', 'article', 'blockquote', 'body', 'center', 'details', 'div', 'dl', 'fieldset', 'figcaption', 'figure',
  'header', 'hgroup', 'hr', 'html', 'main', 'ol', 'p', 'section', 'summary', 'table', 'ul', 'caption', 'legend', 'menu',
]);
const LINE_BLOCKS = new Set(['li', 'dt', 'dd', 'tr']);
const HEADINGS: Record<string, number> = { h1: 1, h2: 2, h3: 3, h4: 4, h5: 5, h6: 6 };
const CELLS = new Set(['td', 'th']);

/** A line break placeholder that survives whitespace collapsing (`<br>`). */
const BREAK = '\u2028';
const CJK = '[\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\u3000-\\u303f\\uff00-\\uffef]';
/** A line break between two CJK characters is not a space (CSS Text: segment break transformation). */
const CJK_BREAK = new RegExp(`(${CJK})[ \\t\\r\\f]*\\n[ \\t\\r\\n\\f]*(?=${CJK})`, 'gu');

export function htmlToMarkdown({ html }: HtmlToMarkdownOptions): HtmlMarkdown {
  const doc = parseDocument(html, { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true }) as unknown as HtmlNode;
  const htmlElement = findFirst(doc, (n) => n.name === 'html');
  const lang = htmlElement?.attribs?.lang?.trim() || htmlElement?.attribs?.['xml:lang']?.trim() || undefined;
  const titleElement = findFirst(doc, (n) => n.name === 'title');
  const writer = new MarkdownWriter();
  for (const root of contentRoots(doc)) writer.walk(root);
  const markdown = writer.finish();
  const h1 = writer.firstH1 ?? inlineText(findFirst(doc, (n) => n.name === 'h1' && !isDropped(n)));
  const title = inlineText(titleElement) || h1 || undefined;
  return { markdown, ...(title ? { title } : {}), ...(lang ? { lang } : {}) };
}

/** `<main>` or `[role=main]`, else the `<article>`s, else the whole document. */
function contentRoots(doc: HtmlNode): HtmlNode[] {
  const visible = (n: HtmlNode): boolean => !isDropped(n) && !hasDroppedAncestor(n);
  const main = findFirst(doc, (n) => (n.name === 'main' || n.attribs?.role === 'main') && visible(n));
  if (main) return [main];
  const articles = findAll(doc, (n) => n.name === 'article' && visible(n)).filter((a) => !hasAncestor(a, (p) => p.name === 'article'));
  if (articles.length > 0) return articles;
  return [doc];
}

function isDropped(node: HtmlNode): boolean {
  if (node.type === 'comment' || node.type === 'directive') return true;
  const name = node.name;
  if (name === undefined) return false;
  const attribs = node.attribs ?? {};
  if (name === 'form') {
    // ASP.NET and similar pages wrap the whole body in one <form>; that one is content, not a form.
    return findFirst(node, (n) => n.name === 'main' || n.name === 'article' || n.name === 'h1' || n.attribs?.role === 'main') === undefined;
  }
  if (DROPPED.has(name)) return true;
  // A page header is chrome; an article's header holds its title.
  if (name === 'header' && !hasAncestor(node, (p) => p.name === 'article' || p.name === 'main' || p.attribs?.role === 'main')) return true;
  if ('hidden' in attribs || attribs['aria-hidden'] === 'true') return true;
  const role = attribs.role;
  if (role !== undefined && DROPPED_ROLES.has(role)) return true;
  const style = attribs.style?.toLowerCase().replace(/\s+/g, '');
  return style !== undefined && (style.includes('display:none') || style.includes('visibility:hidden'));
}

function hasAncestor(node: HtmlNode, test: (n: HtmlNode) => boolean): boolean {
  for (let p = node.parent; p; p = p.parent) if (test(p)) return true;
  return false;
}

function hasDroppedAncestor(node: HtmlNode): boolean {
  return hasAncestor(node, isDropped);
}

function findFirst(node: HtmlNode | undefined, test: (n: HtmlNode) => boolean): HtmlNode | undefined {
  if (!node) return undefined;
  for (const child of node.children ?? []) {
    if (test(child)) return child;
    const found = findFirst(child, test);
    if (found) return found;
  }
  return undefined;
}

function findAll(node: HtmlNode, test: (n: HtmlNode) => boolean, out: HtmlNode[] = []): HtmlNode[] {
  for (const child of node.children ?? []) {
    if (test(child)) out.push(child);
    findAll(child, test, out);
  }
  return out;
}

/** All text below a node, whitespace collapsed to single spaces. */
function inlineText(node: HtmlNode | undefined): string {
  if (!node) return '';
  const parts: string[] = [];
  const collect = (n: HtmlNode): void => {
    if (n.type === 'text') parts.push(n.data ?? '');
    else if (!isDropped(n) || n.name === 'title') for (const c of n.children ?? []) collect(c);
  };
  collect(node);
  return collapse(parts.join('')).replace(new RegExp(BREAK, 'g'), ' ').trim();
}

function collapse(text: string): string {
  return text
    .replace(CJK_BREAK, '$1')
    .replace(/[ \t\n\r\f\u00a0]+/g, ' ')
    .replace(new RegExp(` ?${BREAK} ?`, 'g'), BREAK);
}

interface Block {
  text: string;
  /** `line` blocks (list items, table rows) follow each other with one newline, everything else with a blank line. */
  kind: 'paragraph' | 'line';
}

interface ListState {
  ordered: boolean;
  index: number;
}

class MarkdownWriter {
  firstH1: string | undefined;
  private readonly blocks: Block[] = [];
  private buffer = '';
  private readonly lists: ListState[] = [];
  /** Prefix for the first line of the current list item (`- `, `2. `). */
  private itemPrefix: string | undefined;
  /** Cells of the table rows being read, innermost last. */
  private readonly rows: string[][] = [];
  private cellDepth = 0;

  walk(node: HtmlNode): void {
    if (node.type === 'text') {
      this.buffer += node.data ?? '';
      return;
    }
    if (isDropped(node)) return;
    const name = node.name;
    if (name === undefined) {
      this.walkChildren(node);
      return;
    }
    if (name === 'br') {
      this.buffer += this.cellDepth > 0 ? ' ' : BREAK;
      return;
    }
    if (name === 'img') {
      return;
    }
    const level = HEADINGS[name];
    if (level !== undefined && this.cellDepth === 0) {
      this.flush();
      this.walkChildren(node);
      const text = this.takeBuffer().replace(new RegExp(BREAK, 'g'), ' ').trim();
      if (text !== '') {
        this.blocks.push({ text: `${'#'.repeat(level)} ${text}`, kind: 'paragraph' });
        if (level === 1) this.firstH1 ??= text;
      }
      return;
    }
    if (name === 'pre' && this.cellDepth === 0) {
      this.flush();
      const code = preText(node).replace(/^\n/, '').replace(/\s+$/, '');
      if (code.trim() !== '') this.blocks.push({ text: `\`\`\`\n${code}\n\`\`\``, kind: 'paragraph' });
      return;
    }
    if (CELLS.has(name)) {
      this.flushInCell();
      this.cellDepth++;
      this.walkChildren(node);
      this.cellDepth--;
      const text = this.takeBuffer().trim();
      this.rows[this.rows.length - 1]?.push(text);
      return;
    }
    if (name === 'tr') {
      this.flush();
      this.rows.push([]);
      this.walkChildren(node);
      const cells = (this.rows.pop() ?? []).filter((c) => c !== '');
      const text = cells.join(' | ');
      if (this.cellDepth > 0) this.buffer += ` ${text} `;
      else if (text !== '') this.blocks.push({ text, kind: 'line' });
      return;
    }
    if (name === 'ul' || name === 'ol' || name === 'menu') {
      this.flush();
      const start = Number.parseInt(node.attribs?.start ?? '1', 10);
      this.lists.push({ ordered: name === 'ol', index: Number.isFinite(start) ? start - 1 : 0 });
      this.walkChildren(node);
      this.lists.pop();
      this.flush();
      return;
    }
    if (name === 'li') {
      this.flush();
      const list = this.lists[this.lists.length - 1];
      const indent = '  '.repeat(Math.max(0, this.lists.length - 1));
      if (list) list.index++;
      this.itemPrefix = `${indent}${list?.ordered ? `${list.index}.` : '-'} `;
      this.walkChildren(node);
      this.flush('line');
      this.itemPrefix = undefined;
      return;
    }
    if (LINE_BLOCKS.has(name)) {
      this.flush();
      this.walkChildren(node);
      this.flush('line');
      return;
    }
    if (PARAGRAPH_BLOCKS.has(name)) {
      if (this.cellDepth > 0) {
        this.flushInCell();
        this.walkChildren(node);
        this.flushInCell();
        return;
      }
      this.flush();
      this.walkChildren(node);
      this.flush();
      return;
    }
    this.walkChildren(node);
  }

  finish(): string {
    this.flush();
    let out = '';
    this.blocks.forEach((block, i) => {
      const previous = this.blocks[i - 1];
      if (previous) out += previous.kind === 'line' && block.kind === 'line' ? '\n' : '\n\n';
      out += block.text;
    });
    return out.trim();
  }

  private walkChildren(node: HtmlNode): void {
    for (const child of node.children ?? []) this.walk(child);
  }

  private takeBuffer(): string {
    const text = collapse(this.buffer);
    this.buffer = '';
    return text;
  }

  /** Inside a table cell, block boundaries are just spaces: the row stays on one line. */
  private flushInCell(): void {
    this.buffer += ' ';
  }

  private flush(kind: Block['kind'] = 'paragraph'): void {
    if (this.cellDepth > 0) {
      this.flushInCell();
      return;
    }
    const lines = this.takeBuffer()
      .split(BREAK)
      .map((line) => line.trim())
      .filter((line) => line !== '');
    if (lines.length === 0) return;
    // Text that happens to start like Markdown structure must not turn into a heading or a fence.
    let text = lines.map((line) => (/^(#{1,6}(\s|$)|```|~~~)/.test(line) ? `\\${line}` : line)).join('\n');
    if (this.itemPrefix !== undefined) {
      text = this.itemPrefix + text;
      this.itemPrefix = undefined;
      kind = 'line';
    } else if (this.lists.length > 0) {
      // A second paragraph of a list item: indented under it.
      text = text.replace(/^/gm, '  '.repeat(this.lists.length));
      kind = 'line';
    }
    this.blocks.push({ text, kind });
  }
}

/** Text of a `<pre>`, whitespace kept, `<br>` as newlines. */
function preText(node: HtmlNode): string {
  if (node.type === 'text') return node.data ?? '';
  if (node.name === 'br') return '\n';
  if (node.type !== 'root' && isDropped(node)) return '';
  return (node.children ?? []).map(preText).join('');
}
