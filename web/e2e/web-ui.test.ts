import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePdf } from '../../src/ingest/loaders/test-support/make-pdf.js';
import { startTestServer, type TestServer } from '../../src/server/test-support/start-test-server.js';

// The web UI end to end: a real `lore serve` (the library's server on a loopback port over a temporary
// database, with the bundled English embedder and a fake OpenAI-compatible model that streams slowly),
// the UI built from web/ for this run, and Debian's Chromium driven by playwright-core.
//
// Screenshots go to tmp/screenshots/ (ignored by git); with LORE_SCREENSHOTS=1 they replace the reviewed
// copies in docs/screenshots/.

const CHROMIUM = process.env['LORE_CHROMIUM'] ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM) {
  console.warn(`web UI browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set LORE_CHROMIUM)`);
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = process.env['LORE_SCREENSHOTS'] === '1' ? join(ROOT, 'docs/screenshots') : join(ROOT, 'tmp/screenshots');

const ZH_NAME = '风力发电机维护手册.md';
const ZH = readFileSync(join(ROOT, 'examples', ZH_NAME));
const EN_NAME = 'wind-turbine-maintenance.md';
const EN = readFileSync(join(ROOT, 'examples', EN_NAME));
const PDF_NAME = 'turbine-handbook.pdf';
const PDF = makePdf({
  title: 'Turbine handbook',
  pages: [
    { lines: ['Turbine handbook', 'Safety comes first: stop the rotor and lock it before climbing the tower.'] },
    { lines: ['Anemometer', 'The anemometer calibration is due every 24 months.', 'A drifting anemometer makes the turbine yaw late.'] },
  ],
});
const XSS_NAME = 'release-notes.md';
const XSS = [
  "# Release notes <script>window.__xss = 1; alert('script')</script>",
  '',
  'The firmware payload check <img src=x onerror="window.__xss = 2; alert(2)"> ships with release 7.',
  '',
].join('\n');
const XSS_IMG = '<img src=x onerror="window.__xss = 2; alert(2)">';

const STREAMED_ANSWER = 'The anemometer must be calibrated every 24 months [1]. A drifting one makes the turbine yaw late [1].';

/** An OpenAI-compatible upstream that streams its answer in small pieces, slowly enough to watch. */
async function startSlowModel(): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const pieces = STREAMED_ANSWER.match(/.{1,8}/g) ?? [];
      let i = 0;
      const send = (payload: unknown) => res.write(`data: ${JSON.stringify(payload)}\n\n`);
      const timer = setInterval(() => {
        if (res.destroyed) return clearInterval(timer);
        const piece = pieces[i++];
        if (piece !== undefined) {
          send({ id: 'c1', object: 'chat.completion.chunk', model: 'writer', choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] });
          return;
        }
        clearInterval(timer);
        send({ id: 'c1', object: 'chat.completion.chunk', model: 'writer', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
        res.end('data: [DONE]\n\n');
      }, 60);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe.skipIf(!HAVE_CHROMIUM)('web UI in headless Chromium', () => {
  let webRoot: string;
  let model: Awaited<ReturnType<typeof startSlowModel>>;
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];
  let dialogs = 0;

  const shot = async (name: string, target: Page = page) => {
    mkdirSync(SHOTS, { recursive: true });
    await target.screenshot({ path: join(SHOTS, `${name}.png`) });
  };

  /** Records page errors, console errors, dialogs and CSP violations: each one fails the suite. */
  const watch = async (target: Page) => {
    target.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    target.on('console', (message) => {
      if (message.type() === 'error' && !/status of 501/.test(message.text())) problems.push(`console: ${message.text()}`);
    });
    target.on('dialog', (dialog) => {
      dialogs++;
      void dialog.dismiss();
    });
    await target.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
    });
  };

  beforeAll(async () => {
    // Build the UI from the sources under test into a folder of its own (web/dist is left alone).
    webRoot = mkdtempSync(join(tmpdir(), 'lore-web-'));
    const { build } = await import('vite');
    await build({ configFile: join(ROOT, 'web/vite.config.ts'), logLevel: 'warn', build: { outDir: webRoot, emptyOutDir: true } });
    model = await startSlowModel();
    server = await startTestServer({ embedder: 'local', models: [`openai-compatible:${model.baseUrl}#writer`], webRoot, rateLimitPerMinute: 0 });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    context = await browser.newContext({ viewport: { width: 1360, height: 860 }, colorScheme: 'light', reducedMotion: 'reduce' });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await watch(page);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await model?.close();
    if (webRoot) rmSync(webRoot, { recursive: true, force: true });
  });

  it('serves the UI under its Content-Security-Policy', async () => {
    const response = await page.goto(`${server.url}/#/collections`);
    expect(response?.status()).toBe(200);
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    await expect.poll(() => page.locator('.pane-title').textContent()).toBe('Collections');
  });

  it('creates a collection, takes a PDF, a Chinese and an English Markdown file by drag and drop, and shows ingestion finish', async () => {
    await page.fill('#new-collection', 'manuals');
    await page.press('#new-collection', 'Enter');
    await page.waitForURL(/#\/collections\/manuals$/);

    // A real drop: a DataTransfer holding the two files, dispatched on the drop zone.
    await page.locator('[data-testid=dropzone]').evaluate(
      (zone, files) => {
        const transfer = new DataTransfer();
        for (const f of files) {
          const bytes = Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0));
          transfer.items.add(new File([bytes], f.name, { type: f.type }));
        }
        for (const type of ['dragenter', 'dragover', 'drop']) zone.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
      },
      [
        { name: PDF_NAME, type: 'application/pdf', base64: Buffer.from(PDF).toString('base64') },
        { name: ZH_NAME, type: 'text/markdown', base64: ZH.toString('base64') },
        { name: EN_NAME, type: 'text/markdown', base64: EN.toString('base64') },
      ],
    );

    // Per-file progress shows up, then both documents are listed as ready with their chunks.
    await page.locator('[data-testid=activity]').first().waitFor();
    await page.locator('[data-testid=activity][data-state=done]').first().waitFor({ timeout: 30_000 });
    for (const name of [PDF_NAME, ZH_NAME, EN_NAME]) await page.locator(`tr[data-testid=document][data-name="${name}"][data-status=ready]`).waitFor();
    await expect.poll(() => page.locator('.activity-files li').count()).toBe(3);
    await expect.poll(() => page.locator('.collection-item.active .collection-count').textContent()).toBe('3');
    await shot('collections');
  });

  it('renders a document containing <script> and <img onerror> as text', async () => {
    // Through the file picker this time.
    await page.setInputFiles('#file-input', { name: XSS_NAME, mimeType: 'text/markdown', buffer: Buffer.from(XSS) });
    await page.locator(`tr[data-testid=document][data-name="${XSS_NAME}"][data-status=ready]`).waitFor({ timeout: 30_000 });

    // `/` opens the search playground with the query box focused.
    await page.locator('body').click({ position: { x: 700, y: 5 } });
    await page.keyboard.press('/');
    await page.waitForURL(/#\/search$/);
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('search-query');
    await page.keyboard.type('firmware payload check');
    await page.keyboard.press('Enter');
    const hit = page.locator('[data-mode=keyword] [data-testid=hit]').first();
    await hit.waitFor();
    expect(await hit.innerText()).toContain(XSS_IMG);
    // The heading with the script shows as its title or heading path, as text.
    expect(await page.locator('[data-mode=keyword]').innerText()).toContain('<script>');

    await hit.click();
    const panel = page.locator('[data-testid=passage-panel]');
    await panel.waitFor();
    await expect.poll(() => panel.innerText()).toContain(XSS_IMG);
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });

    // Nothing ran and nothing was injected: no image element, no dialog, no global set by the payload.
    expect(await page.locator('main img, aside img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(dialogs).toBe(0);
  });

  it('shows keyword, vector and hybrid results side by side with their scores', async () => {
    await page.fill('#search-query', 'how often should the gearbox oil be replaced');
    await page.keyboard.press('Enter');
    const columns = page.locator('[data-testid=result-column]');
    await expect.poll(() => columns.evaluateAll((els) => els.map((e) => e.getAttribute('data-mode')))).toEqual(['keyword', 'vector', 'hybrid']);
    await expect.poll(() => page.locator('[data-mode=vector] [data-testid=hit]').count()).toBeGreaterThan(0);
    for (const mode of ['keyword', 'vector', 'hybrid']) {
      const first = page.locator(`[data-mode=${mode}] [data-testid=hit]`).first();
      expect(await first.locator('.hit-score').innerText()).toMatch(/^\d/);
    }
    await shot('search');
  });

  it('streams an answer from the model and opens a cited passage in the side panel', async () => {
    await page.click('[data-section=chat]');
    await page.waitForURL(/#\/chat$/);
    await page.selectOption('select[aria-label=Collection]', 'manuals');
    expect(await page.locator('select[aria-label=Model]').inputValue()).toBe('writer');
    await page.locator('.empty-chat').waitFor();
    await shot('chat-empty');
    await page.fill('#chat-input', 'How often is the anemometer calibrated?');
    await page.press('#chat-input', 'Enter');

    // Text appears while the answer is still streaming, then the final answer carries the citations.
    const answer = page.locator('[data-testid=answer]').last();
    await page.waitForFunction(() => {
      const streaming = document.querySelector('[data-testid=answer][aria-busy=true] .answer');
      return (streaming?.textContent ?? '').length > 0;
    });
    const partial = await answer.locator('.answer').innerText();
    expect(partial.length).toBeLessThan(STREAMED_ANSWER.length);
    await page.locator('[data-testid=answer][aria-busy=false]').waitFor({ timeout: 20_000 });
    expect(await answer.locator('.answer').innerText()).toContain('calibrated every 24 months');
    expect(await answer.innerText()).toContain('Written by writer');
    await page.waitForURL(/#\/chat\/.+/);

    const chip = answer.locator('button.cite[data-cite="1"]').first();
    await chip.click();
    const panel = page.locator('[data-testid=passage-panel]');
    await panel.waitFor();
    await expect.poll(() => panel.locator('mark.passage-quote').innerText()).toContain('anemometer');
    expect(await panel.locator('.panel-title').innerText()).toContain(PDF_NAME);
    expect(await panel.locator('.panel-meta').innerText()).toContain('Page 2');
    await shot('chat');

    // Esc closes the panel and gives focus back to the chip.
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
    expect(await page.evaluate(() => document.activeElement?.classList.contains('cite'))).toBe(true);
  });

  it('answers a Chinese question extractively and shows the heading of the cited passage', async () => {
    await page.click('a.button:has-text("New chat")');
    await page.waitForURL(/#\/chat$/);
    await page.selectOption('select[aria-label=Model]', 'extractive');
    await page.fill('#chat-input', '齿轮油多久更换一次？');
    // Shift+Enter adds a line instead of sending.
    await page.press('#chat-input', 'Shift+Enter');
    expect(await page.locator('#chat-input').inputValue()).toBe('齿轮油多久更换一次？\n');
    await page.press('#chat-input', 'Enter');
    const answer = page.locator('[data-testid=answer]').last();
    await page.locator('[data-testid=answer][aria-busy=false]').waitFor({ timeout: 20_000 });
    expect(await answer.innerText()).toContain('十八个月');
    expect(await answer.innerText()).toContain('Extractive answer');
    await page.waitForURL(/#\/chat\/.+/);

    await answer.locator('.source-card').first().click();
    const panel = page.locator('[data-testid=passage-panel]');
    await expect.poll(() => panel.locator('mark.passage-quote').innerText()).toContain('齿轮油');
    expect(await panel.locator('.panel-meta').innerText()).toContain('齿轮箱');
    expect(await panel.locator('.panel-title').innerText()).toContain(ZH_NAME);
    await shot('chat-chinese');
    await page.click('button[aria-label="Close passage (Esc)"]');
    await panel.waitFor({ state: 'detached' });
  });

  it('shows the quote when the server cannot give the surrounding passage (501)', async () => {
    await page.route('**/api/documents/*/chunks*', (route) => route.fulfill({ status: 501, contentType: 'application/json', body: JSON.stringify({ error: { code: 'NOT_IMPLEMENTED', message: 'not yet' } }) }));
    await page.locator('[data-testid=answer]').last().locator('button.cite').first().click();
    const panel = page.locator('[data-testid=passage-panel]');
    await expect.poll(() => panel.locator('.panel-note').innerText()).toContain('cannot read the surrounding passage');
    expect(await panel.locator('mark.passage-quote').innerText()).toContain('齿轮油');
    await page.keyboard.press('Escape');
    await page.unroute('**/api/documents/*/chunks*');
  });

  it('keeps conversations in the sidebar across reloads, and deletes them', async () => {
    await page.reload();
    const items = page.locator('[data-testid=session-list] .session');
    await expect.poll(() => items.count()).toBe(2);
    // Most recent first: the Chinese conversation, then the model's.
    await items.nth(1).locator('a').click();
    await expect.poll(() => page.locator('.msg-user .bubble').first().innerText()).toBe('How often is the anemometer calibrated?');
    await expect.poll(() => page.locator('[data-testid=answer] button.cite').count()).toBeGreaterThan(0);
    expect(await page.locator('select[aria-label=Model]').isDisabled()).toBe(true);

    await items.nth(0).hover();
    await items.nth(0).locator('.session-delete').click();
    await expect.poll(() => items.count()).toBe(1);
  });

  it('follows the system dark mode and switches with the toggle', async () => {
    const luminance = (target: Page) =>
      target.evaluate(() => {
        const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\d+/g)!.map(Number) as [number, number, number];
        return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
      });
    expect(await luminance(page)).toBeGreaterThan(0.8);

    // The toggle cycles auto → light → dark.
    await page.click('[data-testid=theme-toggle]');
    await page.click('[data-testid=theme-toggle]');
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset['theme'])).toBe('dark');
    expect(await luminance(page)).toBeLessThan(0.15);
    await page.locator('[data-testid=answer] button.cite').first().click();
    await page.locator('[data-testid=passage-panel] mark.passage-quote').waitFor();
    await shot('chat-dark');
    await page.keyboard.press('Escape');
    await page.click('[data-testid=theme-toggle]');
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset['theme'])).toBeUndefined();

    // A browser that prefers dark gets the dark theme with no choice saved.
    const dark = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: 'dark', reducedMotion: 'reduce' });
    const phone = await dark.newPage();
    await watch(phone);
    await phone.goto(`${server.url}/#/collections/manuals`);
    await phone.locator('tr[data-testid=document]').first().waitFor();
    expect(await luminance(phone)).toBeLessThan(0.15);
    // On a narrow screen the section bar moves to the bottom.
    const rail = await phone.locator('nav.rail').boundingBox();
    expect(rail!.y).toBeGreaterThan(700);
    await shot('collections-mobile-dark', phone);
    const { sessions } = (await (await fetch(`${server.url}/api/sessions`)).json()) as { sessions: Array<{ id: string }> };
    await phone.goto(`${server.url}/#/chat/${sessions[0]!.id}`);
    await phone.locator('[data-testid=answer] button.cite').first().waitFor();
    await shot('chat-mobile-dark', phone);
    await dark.close();
  });

  it('raised no page errors, console errors, CSP violations or dialogs', () => {
    expect(problems).toEqual([]);
    expect(dialogs).toBe(0);
  });
});
