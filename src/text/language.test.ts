import { describe, expect, it } from 'vitest';
import { detectScript, supportsText } from './language.js';

describe('detectScript / supportsText', () => {
  it('tells Chinese, Japanese and Latin text apart, mixed text by weight', () => {
    expect(detectScript('齿轮箱多久换一次油')).toBe('zh');
    expect(detectScript('東京都に住んでいます')).toBe('ja');
    expect(detectScript('How often is the gearbox oil changed?')).toBe('latin');
    expect(detectScript('Lore 是一个本地优先的检索工具')).toBe('zh');
    expect(detectScript('The word 风 means wind in Chinese, used in this long English sentence')).toBe('latin');
    expect(detectScript('12345 !!')).toBe('none');
  });
  it('an English-only embedder supports English, not Chinese; an unrestricted one supports both', () => {
    expect(supportsText(['en'], 'gearbox oil')).toBe(true);
    expect(supportsText(['en'], '齿轮箱换油')).toBe(false);
    expect(supportsText([], '齿轮箱换油')).toBe(true);
    expect(supportsText(['en', 'zh'], '齿轮箱换油')).toBe(true);
  });
});
