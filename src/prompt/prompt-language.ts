import { LoreError } from '../spec/errors.js';

/** The language of the words Lore itself puts into a prompt (section labels, instructions). */
export type PromptLanguage = 'en' | 'zh';

export const PROMPT_LANGUAGES: readonly PromptLanguage[] = ['en', 'zh'];

/** Defaults to English; rejects anything else early, since a typo would otherwise surface as `undefined` labels. */
export function promptLanguage(language: string | undefined): PromptLanguage {
  if (language === undefined) return 'en';
  if ((PROMPT_LANGUAGES as readonly string[]).includes(language)) return language as PromptLanguage;
  throw new LoreError({ code: 'INVALID_ARGUMENT', message: `Unknown prompt language "${language}"`, hint: `use one of ${PROMPT_LANGUAGES.join(', ')}` });
}
