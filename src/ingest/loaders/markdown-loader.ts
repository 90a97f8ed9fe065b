import type { LoadedDocument, Loader, LoaderInput } from '../../spec/document.js';
import { decodeText } from './detect-encoding.js';
import { MIME_TYPES } from './detect-type.js';
import { parseFrontMatter } from './parse-front-matter.js';

/**
 * Markdown is already what the splitters want, so the text passes through; only YAML front matter is
 * lifted into metadata (it is data about the document, and would pollute the first chunk).
 */
export const markdownLoader: Loader = {
  name: 'markdown',
  mimeTypes: [MIME_TYPES.markdown, 'text/x-markdown'],
  load: async ({ source, bytes, options }: LoaderInput): Promise<LoadedDocument> => {
    const decoded = decodeText({ bytes, source, encoding: options?.encoding });
    const { metadata: frontMatter, body, warnings } = parseFrontMatter({ text: decoded.text });
    const declared = frontMatter.title;
    const title = typeof declared === 'string' && declared.trim() !== '' ? declared.trim() : findMarkdownTitle({ markdown: body });
    return {
      source,
      mimeType: MIME_TYPES.markdown,
      ...(title === undefined ? {} : { title }),
      text: body,
      markdown: true,
      // The loader's own keys win over front matter keys of the same name.
      metadata: { ...frontMatter, type: 'markdown', encoding: decoded.encoding },
      warnings: [...decoded.warnings, ...warnings],
    };
  },
};

/** The first level-1 heading (ATX `# Title` or setext `Title` over `===`), ignoring fenced code blocks. */
export function findMarkdownTitle({ markdown }: { markdown: string }): string | undefined {
  const lines = markdown.split('\n');
  let fence: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fenceMatch = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (fenceMatch) {
      const marker = fenceMatch[1]!;
      if (fence === undefined) fence = marker;
      else if (marker[0] === fence[0] && marker.length >= fence.length) fence = undefined;
      continue;
    }
    if (fence !== undefined) continue;
    const atx = /^ {0,3}#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$/.exec(line);
    if (atx) return atx[1]!.trim();
    const next = lines[i + 1];
    if (line.trim() !== '' && next !== undefined && /^ {0,3}=+[ \t]*$/.test(next)) return line.trim();
  }
  return undefined;
}
