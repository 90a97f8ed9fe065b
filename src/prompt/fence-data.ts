/** A piece of untrusted text for the prompt: a retrieved passage, a user's file. */
export interface DataItem {
  text: string;
  /** Where it came from (file name, URL), shown to the model as an attribute. */
  source?: string;
}

/** The tag that fences data; its name says what is inside, which models follow better than punctuation. */
export const DATA_TAG = 'document';

const escapeAttribute = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/[\r\n\t]+/g, ' ');

/**
 * Wraps untrusted text in numbered `<document>` tags. A `<document` or `</document` inside the text has its
 * `<` written as `&lt;`, so retrieved text cannot close the fence early and pass the rest off as
 * instructions; everything else is left exactly as it was (code, tables, Chinese punctuation).
 */
export function fenceData(items: ReadonlyArray<string | DataItem>): string {
  const closeOrOpen = new RegExp(`<(\\s*/?\\s*${DATA_TAG})(?=[\\s>/]|$)`, 'gi');
  return items
    .map((item, i) => {
      const { text, source } = typeof item === 'string' ? { text: item, source: undefined } : item;
      const attributes = `index="${i + 1}"${source ? ` source="${escapeAttribute(source)}"` : ''}`;
      return `<${DATA_TAG} ${attributes}>\n${text.replace(closeOrOpen, '&lt;$1')}\n</${DATA_TAG}>`;
    })
    .join('\n\n');
}
