import { describe, expect, it } from 'vitest';
import { findMarkdownTitle, markdownLoader } from './markdown-loader.js';
import { parseFrontMatter } from './parse-front-matter.js';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('markdownLoader', () => {
  it('lifts YAML front matter into metadata and takes its title', async () => {
    const text = [
      '---',
      'title: "Lore 指南"',
      'tags: [rag, search, "中文"]',
      'draft: false',
      'weight: 3',
      'date: 2024-05-01',
      'authors:',
      '  - Ada',
      '  - 李雷',
      'summary: >',
      '  Folded',
      '  text.',
      'nested:',
      '  key: value',
      '---',
      '# Heading one',
      '',
      'Body text.',
      '',
    ].join('\n');
    const doc = await markdownLoader.load({ source: 'guide.md', bytes: utf8(text) });
    expect(doc.title).toBe('Lore 指南');
    expect(doc.text).toBe('# Heading one\n\nBody text.\n');
    expect(doc.markdown).toBe(true);
    expect(doc.metadata).toEqual({
      title: 'Lore 指南',
      tags: ['rag', 'search', '中文'],
      draft: false,
      weight: 3,
      date: '2024-05-01',
      authors: ['Ada', '李雷'],
      summary: 'Folded text.',
      type: 'markdown',
      encoding: 'utf-8',
    });
    expect(doc.warnings.join()).toMatch(/nested/);
  });

  it('takes the title from the first level-1 heading outside code', async () => {
    const text = '```sh\n# a comment\n```\n\nIntro\n\n## Sub\n\n# 真正的标题 #\n';
    const doc = await markdownLoader.load({ source: 'a.md', bytes: utf8(text) });
    expect(doc.title).toBe('真正的标题');
    expect(doc.text).toBe(text);
    expect(findMarkdownTitle({ markdown: 'Setext title\n===\n\ntext' })).toBe('Setext title');
    expect(findMarkdownTitle({ markdown: 'no heading' })).toBeUndefined();
  });

  it('leaves a file without front matter alone', () => {
    expect(parseFrontMatter({ text: 'Hello\n---\nworld' })).toEqual({ metadata: {}, body: 'Hello\n---\nworld', warnings: [] });
  });
});
