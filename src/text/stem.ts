import { stemmer } from 'stemmer';

const ASCII_WORD = /^[a-z]+$/;

/** Porter stemming for English words; other words (numbers, Chinese, accented words) pass through. */
export function stemWord(word: string): string {
  return word.length > 2 && ASCII_WORD.test(word) ? stemmer(word) : word;
}
