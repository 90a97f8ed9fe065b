import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { findMetaCharset, htmlLoader } from './html-loader.js';
import { htmlToMarkdown } from './html-to-markdown.js';
import { expectLoreError } from './test-support/expect-lore-error.js';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

const PAGE = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Lore &amp; RAG — Guide</title>
  <style>body { color: red; } .secret { display: none }</style>
  <script>console.log("tracking");</script>
</head>
<body>
  <header><a href="/">Home</a> <span>Site banner</span></header>
  <nav><ul><li><a href="/a">Menu item A</a></li><li>Menu item B</li></ul></nav>
  <div class="layout">
    <h1>Getting   started</h1>
    <p>Lore is a <b>local-first</b>
       RAG engine &mdash; it runs on&nbsp;your machine.</p>
    <div hidden>Hidden by attribute</div>
    <div aria-hidden="true">Hidden from readers</div>
    <p style="display: none">Hidden by style</p>
    <h2>Install</h2>
    <ol><li>Download it</li><li>Run <code>lore init</code></li></ol>
    <ul><li>First</li><li>Second<ul><li>Nested</li></ul></li></ul>
    <h3>Options</h3>
    <table><tr><th>Flag</th><th>Meaning</th></tr><tr><td>--encoding</td><td>Force an encoding</td></tr></table>
    <pre>const x = 1;
  # not a heading
</pre>
    <p># starts with a hash</p>
    <p>Line one<br>Line two</p>
    <form><input name="q"><button>Search</button></form>
    <noscript>Enable JavaScript</noscript>
    <template><p>Template text</p></template>
    <svg><text>SVG text</text></svg>
  </div>
  <aside>Related links</aside>
  <footer>© 2024 Footer text</footer>
</body>
</html>`;

describe('htmlToMarkdown', () => {
  it('keeps content and headings, drops chrome, scripts and hidden elements', () => {
    const { markdown, title, lang } = htmlToMarkdown({ html: PAGE });
    expect(title).toBe('Lore & RAG — Guide');
    expect(lang).toBe('en');
    expect(markdown).toBe(
      [
        '# Getting started',
        'Lore is a local-first RAG engine — it runs on your machine.',
        '## Install',
        '1. Download it\n2. Run lore init\n- First\n- Second\n  - Nested',
        '### Options',
        'Flag | Meaning\n--encoding | Force an encoding',
        '```\nconst x = 1;\n  # not a heading\n```',
        '\\# starts with a hash',
        'Line one\nLine two',
      ].join('\n\n'),
    );
    for (const dropped of ['tracking', 'color', 'Home', 'Site banner', 'Menu item', 'Hidden', 'Search', 'JavaScript', 'Template', 'SVG', 'Related', 'Footer']) {
      expect(markdown).not.toContain(dropped);
    }
  });

  it('prefers <main>, then <article>, and keeps an article header', () => {
    const html = `<body><div>Sidebar junk</div><main><p>Main text</p></main><article><p>Other</p></article></body>`;
    expect(htmlToMarkdown({ html }).markdown).toBe('Main text');
    const articles = `<body><p>Outside</p><article><header><h1>Post title</h1></header><p>Body one</p></article><article><p>Body two</p></article></body>`;
    const result = htmlToMarkdown({ html: articles });
    expect(result.markdown).toBe('# Post title\n\nBody one\n\nBody two');
    expect(result.title).toBe('Post title');
    expect(htmlToMarkdown({ html: '<div role="main"><h2>Role main</h2></div><p>not this</p>' }).markdown).toBe('## Role main');
  });

  it('does not put spaces into Chinese text at source line breaks', () => {
    const { markdown } = htmlToMarkdown({ html: '<h1>标题</h1><p>检索增强\n  生成 RAG\n 技术</p>' });
    expect(markdown).toBe('# 标题\n\n检索增强生成 RAG 技术');
  });

  it('keeps the content of a page-wide ASP.NET form', () => {
    expect(htmlToMarkdown({ html: '<body><form id="aspnetForm"><h1>Title</h1><p>Body</p></form></body>' }).markdown).toBe('# Title\n\nBody');
  });
});

describe('htmlLoader', () => {
  it('loads a page as Markdown with title and lang', async () => {
    const doc = await htmlLoader.load({ source: 'https://example.com/guide.html', bytes: utf8(PAGE) });
    expect(doc).toMatchObject({ mimeType: 'text/html', title: 'Lore & RAG — Guide', markdown: true, metadata: { type: 'html', encoding: 'utf-8', lang: 'en' } });
    expect(doc.text.startsWith('# Getting started\n\n')).toBe(true);
  });

  it('decodes GBK pages by their meta charset', async () => {
    const html = `<html lang="zh-CN"><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>中文页面</title></head>
      <body><h1>检索增强生成</h1><p>本地优先的知识库。</p></body></html>`;
    expect(findMetaCharset({ bytes: utf8(html) })).toBe('gb2312');
    const doc = await htmlLoader.load({ source: 'zh.html', bytes: new Uint8Array(iconv.encode(html, 'gbk')) });
    expect(doc.title).toBe('中文页面');
    expect(doc.text).toBe('# 检索增强生成\n\n本地优先的知识库。');
    expect(doc.metadata).toMatchObject({ encoding: 'gb18030', lang: 'zh-CN' });
    // Declared, not guessed: nothing to warn about.
    expect(doc.warnings).toEqual([]);
  });

  it('decodes Big5 pages with <meta charset>', async () => {
    const html = '<!doctype html><meta charset="big5"><title>繁體</title><p>檢索增強生成</p>';
    const doc = await htmlLoader.load({ source: 'tw.html', bytes: new Uint8Array(iconv.encode(html, 'big5')) });
    expect(doc.text).toBe('檢索增強生成');
    expect(doc.metadata.encoding).toBe('big5');
  });

  it('trusts valid UTF-8 over a stale meta charset', async () => {
    const doc = await htmlLoader.load({ source: 'a.html', bytes: utf8('<meta charset="iso-8859-1"><p>中文 café</p>') });
    expect(doc.text).toBe('中文 café');
    expect(doc.metadata.encoding).toBe('utf-8');
  });

  it('reports a page without content as EMPTY_FILE', async () => {
    await expectLoreError(() => htmlLoader.load({ source: 'app.html', bytes: utf8('<html><body><div id="root"></div><script>render()</script></body></html>') }), 'EMPTY_FILE');
  });
});
