import { describe, expect, it } from 'vitest';
import { expectChunkInvariants, makeDoc } from './test-support/chunk-invariants.js';
import { CHINESE_PASSAGE, ENGLISH_PASSAGE } from './test-support/texts.js';
import { headingPathAt, parseMarkdownOutline } from './markdown-outline.js';
import { markdownSplitter } from './markdown-splitter.js';

const GUIDE = `Preamble before any heading.

# Lore

Lore is a local-first engine.

## Install

Run the installer:

\`\`\`sh
# this is a shell comment, not a heading
npm install lore
\`\`\`

### On Linux

Use your package manager.

#### Notes ####

Closing hashes are not part of the title.

## Usage

~~~
## not a heading either
~~~

Search with \`lore search\`.

# Appendix

The end.`;

function split(text: string, chunkSize: number, overlap: number) {
  const doc = makeDoc(text, { markdown: true, mimeType: 'text/markdown' });
  const chunks = markdownSplitter.split(doc, { chunkSize, overlap });
  expectChunkInvariants({ doc, chunks, chunkSize, overlap });
  return chunks;
}

describe('parseMarkdownOutline', () => {
  it('finds ATX headings, nests them, and ignores # lines in fences', () => {
    const outline = parseMarkdownOutline({ text: GUIDE });
    expect(outline.sections.map((s) => s.headingPath)).toEqual([
      [],
      ['Lore'],
      ['Lore', 'Install'],
      ['Lore', 'Install', 'On Linux'],
      ['Lore', 'Install', 'On Linux', 'Notes'],
      ['Lore', 'Usage'],
      ['Appendix'],
    ]);
    expect(outline.fences.map((f) => GUIDE.slice(f.start, f.end))).toEqual([
      '```sh\n# this is a shell comment, not a heading\nnpm install lore\n```',
      '~~~\n## not a heading either\n~~~',
    ]);
    // Sections tile the text.
    expect(outline.sections[0]?.start).toBe(0);
    expect(outline.sections.at(-1)?.end).toBe(GUIDE.length);
    for (const [i, s] of outline.sections.entries()) {
      if (i > 0) expect(s.start).toBe(outline.sections[i - 1]?.end);
    }
  });

  it('needs a space after the hashes, allows up to three spaces before, and handles CRLF', () => {
    const text = '#hashtag\r\n   ## Real heading ##\r\nbody\r\n    # indented code\r\n####### seven\r\n';
    const outline = parseMarkdownOutline({ text });
    expect(outline.sections.map((s) => s.headingPath)).toEqual([[], ['Real heading']]);
  });

  it('treats an unclosed fence as running to the end', () => {
    const text = '# A\n\n```\n# inside\n\n## still inside';
    const outline = parseMarkdownOutline({ text });
    expect(outline.sections.map((s) => s.headingPath)).toEqual([['A']]);
    expect(outline.fences).toEqual([{ start: text.indexOf('```'), end: text.length }]);
  });

  it('gives the heading path in force at any offset', () => {
    const outline = parseMarkdownOutline({ text: GUIDE });
    expect(headingPathAt({ outline, offset: 0 })).toEqual([]);
    expect(headingPathAt({ outline, offset: GUIDE.indexOf('npm install') })).toEqual(['Lore', 'Install']);
    expect(headingPathAt({ outline, offset: GUIDE.length })).toEqual(['Appendix']);
  });
});

describe('markdownSplitter', () => {
  it('gives each chunk the headings above it and never spans two headings', () => {
    const chunks = split(GUIDE, 400, 40);
    expect(chunks.map((c) => c.headingPath)).toEqual([
      [],
      ['Lore'],
      ['Lore', 'Install'],
      ['Lore', 'Install', 'On Linux'],
      ['Lore', 'Install', 'On Linux', 'Notes'],
      ['Lore', 'Usage'],
      ['Appendix'],
    ]);
    expect(chunks[2]?.text.startsWith('## Install\n\nRun the installer:')).toBe(true);
    expect(chunks[5]?.text).toContain('## not a heading either');
    for (const c of chunks.slice(1)) expect(c.text).toMatch(/^#+ /);
  });

  it('keeps a fenced code block whole when it fits, even if the section is split', () => {
    const code = '```ts\nconst a = 1;\n\nconst b = 2;\n\n// # not a heading\nconst c = a + b;\n```';
    const text = `# Code\n\n${ENGLISH_PASSAGE.split('\n\n')[0]}\n\n${code}\n\n${ENGLISH_PASSAGE.split('\n\n')[1]}`;
    const chunks = split(text, 50, 0);
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.some((c) => c.text.includes(code))).toBe(true);
    for (const c of chunks) expect(c.headingPath).toEqual(['Code']);
  });

  it('puts the heading line at the start of the first chunk of a long section, then continues the path', () => {
    const text = `# 风电\n\n## 维护\n\n${CHINESE_PASSAGE}\n\n## 海上\n\n短文。`;
    const chunks = split(text, 60, 10);
    const maintenance = chunks.filter((c) => c.headingPath.join('/') === '风电/维护');
    expect(maintenance.length).toBeGreaterThan(3);
    expect(maintenance[0]?.text.startsWith('# 风电\n\n## 维护\n\n风力发电')).toBe(true);
    expect(chunks.at(-1)).toMatchObject({ headingPath: ['风电', '海上'], text: '## 海上\n\n短文。' });
  });

  it('goes back to a shallower heading path after a deeper one', () => {
    const text = '# A\n\na\n\n## B\n\nb\n\n### C\n\nc\n\n## D\n\nd\n\n# E\n\ne';
    expect(split(text, 100, 10).map((c) => c.headingPath)).toEqual([['A'], ['A', 'B'], ['A', 'B', 'C'], ['A', 'D'], ['E']]);
  });

  it('joins a heading with no text of its own to the section below it, never to a sibling', () => {
    const text = '# Guide\n\n## Gearbox\n\nCheck the oil.\n\n## Empty\n\n## Blades\n\nInspect them.\n\n# Last';
    expect(split(text, 100, 10).map((c) => [c.headingPath.join('/'), c.text])).toEqual([
      ['Guide/Gearbox', '# Guide\n\n## Gearbox\n\nCheck the oil.'],
      ['Guide/Empty', '## Empty'],
      ['Guide/Blades', '## Blades\n\nInspect them.'],
      ['Last', '# Last'],
    ]);
  });

  it('returns nothing for empty text', () => {
    expect(split('', 100, 10)).toEqual([]);
  });
});
