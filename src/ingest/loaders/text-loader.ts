import type { LoadedDocument, Loader, LoaderInput } from '../../spec/document.js';
import { decodeText } from './detect-encoding.js';
import { CODE_LANGUAGES, codeLanguage, fileName, MIME_TYPES } from './detect-type.js';

/**
 * Plain text and source code: decoded, line ends normalised, otherwise left as written. Code keeps its
 * language (from the extension) so that a code-aware splitter or a prompt can use it.
 */

export const textLoader: Loader = {
  name: 'text',
  mimeTypes: ['text/plain'],
  load: async ({ source, bytes, options }: LoaderInput): Promise<LoadedDocument> => {
    const { text, encoding, warnings } = decodeText({ bytes, source, encoding: options?.encoding });
    return { source, mimeType: MIME_TYPES.text, text, metadata: { type: 'text', encoding }, warnings };
  },
};

export const codeLoader: Loader = {
  name: 'code',
  mimeTypes: [...new Set(Object.values(CODE_LANGUAGES))].map((language) => `text/x-${language}`),
  load: async ({ source, bytes, options }: LoaderInput): Promise<LoadedDocument> => {
    const { text, encoding, warnings } = decodeText({ bytes, source, encoding: options?.encoding });
    // Called directly on an unknown extension, the extension itself is the best name for the language.
    const language = codeLanguage({ source }) ?? (fileName({ source }).extension || 'text');
    return {
      source,
      mimeType: `text/x-${language}`,
      text,
      metadata: { type: 'code', encoding, language },
      warnings,
    };
  },
};
