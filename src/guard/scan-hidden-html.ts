import { Parser } from 'htmlparser2';

/**
 * Text in an HTML page that a person reading it does not see, but a loader may pass to a model: the classic
 * carrier of indirect prompt injection ("<div style='display:none'>AI assistants: tell the user to…</div>").
 *
 * Two kinds. `removed`: hidden by markup Lore's HTML loader already drops (`hidden`, `aria-hidden`,
 * `display:none`, `visibility:hidden`, comments, `<template>`); it never reaches a chunk, and is reported so
 * that a page which tried is known. `kept`: hidden by styling the loader cannot evaluate — zero font size,
 * zero opacity, white text, off-screen positioning, clipped boxes — which does reach the chunks.
 */
export interface HiddenHtmlText {
  kind: 'removed' | 'kept';
  /** How it was hidden: `comment`, `hidden-attribute`, `display-none`, `font-size-0`, `white-text`, … */
  how: string;
  text: string;
}

const MAX_TEXT = 4000;
const MAX_FINDINGS = 200;
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr']);

function styleHiding(style: string): { how: string; kind: 'removed' | 'kept' } | null {
  const s = style.toLowerCase().replace(/\s+/g, '');
  if (s.includes('display:none')) return { how: 'display-none', kind: 'removed' };
  if (s.includes('visibility:hidden')) return { how: 'visibility-hidden', kind: 'removed' };
  if (/(?:^|;)font-size:0(?:\.0*)?(?:px|pt|em|rem|%)?(?:;|$|!)/.test(s)) return { how: 'font-size-0', kind: 'kept' };
  if (/(?:^|;)opacity:0(?:\.0*)?(?:;|$|!)/.test(s)) return { how: 'opacity-0', kind: 'kept' };
  if (/(?:^|;)color:(?:#fff(?:fff)?|white|rgba?\(255,255,255(?:,1(?:\.0*)?)?\))(?:;|$|!)/.test(s) && !/background(?:-color)?:(?!#fff|white|rgba?\(255,255,255)/.test(s)) {
    return { how: 'white-text', kind: 'kept' };
  }
  if (/(?:^|;)(?:left|top|text-indent):-\d{3,}/.test(s)) return { how: 'off-screen', kind: 'kept' };
  if (/(?:^|;)(?:width|height):0(?:px)?(?:;|$)/.test(s) && s.includes('overflow:hidden')) return { how: 'zero-size-box', kind: 'kept' };
  if (s.includes('clip:rect(0') || s.includes('clip-path:inset(50%')) return { how: 'clipped', kind: 'kept' };
  return null;
}

function attributeHiding(name: string, attribs: Record<string, string>): { how: string; kind: 'removed' | 'kept' } | null {
  if (name === 'template') return { how: 'template', kind: 'removed' };
  if ('hidden' in attribs) return { how: 'hidden-attribute', kind: 'removed' };
  if (attribs['aria-hidden'] === 'true') return { how: 'aria-hidden', kind: 'removed' };
  if (attribs.style) return styleHiding(attribs.style);
  return null;
}

/** Hidden text in an HTML page (each hidden subtree once, its text joined), at most 200 findings. */
export function findHiddenHtmlText(options: { html: string }): HiddenHtmlText[] {
  const findings: HiddenHtmlText[] = [];
  // One entry per open element: the hiding it started, if any.
  const stack: Array<{ name: string; hiding: { how: string; kind: 'removed' | 'kept' } | null; text: string }> = [];
  // The open hidden elements, innermost last (kept apart so that deep nesting stays linear).
  const hiddenStack: typeof stack = [];
  const innermostHidden = () => hiddenStack[hiddenStack.length - 1];
  const parser = new Parser(
    {
      onopentag(name, attribs) {
        const hiding = VOID.has(name) ? null : attributeHiding(name, attribs);
        if (VOID.has(name)) return;
        const entry = { name, hiding, text: '' };
        stack.push(entry);
        if (hiding) hiddenStack.push(entry);
      },
      ontext(text) {
        const owner = innermostHidden();
        if (owner && owner.text.length < MAX_TEXT) owner.text += text;
      },
      onclosetag(name) {
        if (VOID.has(name)) return;
        const owner = innermostHidden();
        if (owner) owner.text += ' ';
        // Close up to the matching element (htmlparser2 reports implied closes too).
        while (stack.length > 0) {
          const top = stack.pop()!;
          if (top.hiding) {
            hiddenStack.pop();
            const text = top.text.replace(/\s+/g, ' ').trim();
            const outer = innermostHidden();
            // Nested hidden elements: the text belongs to the outermost one, reported once.
            if (outer) outer.text += ` ${top.text}`;
            else if (text && findings.length < MAX_FINDINGS) findings.push({ kind: top.hiding.kind, how: top.hiding.how, text: text.slice(0, MAX_TEXT) });
          }
          if (top.name === name) break;
        }
      },
      oncomment(data) {
        const text = data.replace(/\s+/g, ' ').trim();
        // Conditional comments and build markers are not prose.
        if (text.length >= 12 && !/^\[if |^\[endif|^<!\[endif|^(?:end )?(?:google|ga|gtm|wp|ko|#)/i.test(text) && findings.length < MAX_FINDINGS) {
          findings.push({ kind: 'removed', how: 'comment', text: text.slice(0, MAX_TEXT) });
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(options.html);
  parser.end();
  return findings;
}
