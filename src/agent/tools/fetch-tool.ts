import { z } from 'zod';
import type { Tool } from '../../spec/tool.js';
import { htmlToMarkdown } from '../../ingest/loaders/html-to-markdown.js';
import { defineTool } from '../define-tool.js';
import { DEFAULT_FETCH_MAX_BYTES, DEFAULT_FETCH_TIMEOUT_MS, safeFetch, type SafeFetchOptions } from './fetch/safe-fetch.js';

export interface FetchToolOptions {
  /** Body bytes read at most (default 1 MB). */
  maxBytes?: number;
  /** Per fetch, redirects included (default 15 s). */
  timeoutMs?: number;
  maxRedirects?: number;
  /** Characters of text handed to the model at most (default 20 000); the model may ask for fewer. */
  maxChars?: number;
  /** FOR TESTS ONLY: loopback ports allowed (see safeFetch). Off by default. */
  allowLoopbackPorts?: readonly number[];
  /** FOR TESTS ONLY: a resolver standing in for DNS. */
  resolve?: SafeFetchOptions['resolve'];
}

const TEXTUAL = /^(text\/|application\/(json|ld\+json|xml|xhtml\+xml|javascript|x-ndjson|rss\+xml|atom\+xml)|image\/svg\+xml)/i;

function charsetOf(contentType: string): string {
  return /charset\s*=\s*"?([\w.:-]+)/i.exec(contentType)?.[1] ?? 'utf-8';
}

function decode(body: Buffer, contentType: string): string {
  try {
    return new TextDecoder(charsetOf(contentType)).decode(body);
  } catch {
    return new TextDecoder('utf-8').decode(body);
  }
}

/** A page as text for the model: HTML turned into Markdown (content only, no scripts or navigation), text as it is. */
export function pageText(body: Buffer, contentType: string): string | undefined {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  const sniffHtml = !type && /^\s*<(!doctype html|html)/i.test(body.subarray(0, 200).toString('latin1'));
  if (type === 'text/html' || type === 'application/xhtml+xml' || sniffHtml) {
    const page = htmlToMarkdown({ html: decode(body, contentType) });
    return page.title ? `# ${page.title}\n\n${page.markdown}` : page.markdown;
  }
  if (!type || TEXTUAL.test(type)) return decode(body, contentType);
  return undefined;
}

/**
 * Reads a web page. Risk `network`: it needs approval or `allow: ['network']`. Only public addresses are
 * reachable, whatever the URL, its redirects or DNS say (see safeFetch).
 */
export function createFetchTool(options: FetchToolOptions = {}): Tool {
  const maxChars = options.maxChars ?? 20_000;
  const parameters = z.object({
    url: z.string().min(1).max(4000).describe('A full http or https URL'),
    maxChars: z.number().int().min(100).max(maxChars).optional().describe(`Characters of the page to return (default ${maxChars})`),
  });
  return defineTool({
    name: 'fetch',
    description: `Fetches a public web page or API over http(s) and returns its text (HTML as Markdown). At most ${Math.round((options.maxBytes ?? DEFAULT_FETCH_MAX_BYTES) / 1000)} kB and ${Math.round((options.timeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS) / 1000)} s per page; private and local addresses are refused.`,
    parameters,
    risk: 'network',
    execute: async (args, { signal }) => {
      const response = await safeFetch({
        url: args.url,
        signal,
        maxBytes: options.maxBytes,
        timeoutMs: options.timeoutMs,
        maxRedirects: options.maxRedirects,
        allowLoopbackPorts: options.allowLoopbackPorts,
        resolve: options.resolve,
      });
      const limit = args.maxChars ?? maxChars;
      const text = pageText(response.body, response.contentType);
      const head = [`URL: ${response.url}`, `Status: ${response.status}`, `Content-Type: ${response.contentType || 'unknown'}`];
      if (response.hops.length > 1) head.push(`Redirected from: ${response.hops.slice(0, -1).join(' → ')}`);
      let body: string;
      if (text === undefined) body = `(${response.body.length} bytes of ${response.contentType || 'binary'} content, not shown: only text can be read)`;
      else {
        body = text.length > limit ? `${text.slice(0, limit)}\n… [cut: ${text.length - limit} more characters]` : text;
        if (response.truncated) body += `\n… [the page is larger than ${response.body.length} bytes; the rest was not read]`;
      }
      return {
        content: `${head.join('\n')}\n\n${body}`,
        isError: response.status >= 400,
        data: { url: response.url, status: response.status, contentType: response.contentType, bytes: response.body.length, truncated: response.truncated, hops: response.hops },
      };
    },
  });
}
