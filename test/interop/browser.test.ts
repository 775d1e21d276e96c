// A real browser against the demo: Debian's chromium, driven by playwright-core over CDP, with a
// fresh profile. It loads /static/index.html; the text is there, the PNG decoded, the stylesheet
// applied, the page's WebSocket got its echo and its EventSource its events. A reload then
// revalidates: the browser sends If-None-Match / If-Modified-Since and brisk answers 304, seen
// both by the browser (its responses) and on the server (the access log).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { findExecutable, startDemo, tempDir, type DemoUnderTest } from './interop-support.js';

const executablePath = findExecutable('chromium');
const TEST_TIMEOUT_MS = 60_000;

/** Switches for a quiet, deterministic headless run as root in a container. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** What the page's stylesheet sets h1's color to (examples/demo/public/style.css). */
const ACCENT = 'rgb(0, 102, 119)';

// Page-side expressions, as source text: the tests compile without the DOM library.
const IMAGE_STATE = `(() => {
  const img = document.getElementById('logo');
  return { complete: img.complete, naturalWidth: img.naturalWidth, naturalHeight: img.naturalHeight };
})()`;
const H1_COLOR = `getComputedStyle(document.querySelector('h1')).color`;
const SSE_LINES = `[...document.querySelectorAll('#sse-log li')].map((li) => li.textContent)`;

describe('the demo in chromium', { skip: executablePath === undefined ? 'chromium is not installed (apt-get install chromium)' : undefined, timeout: 3 * TEST_TIMEOUT_MS }, () => {
  let demo: DemoUnderTest;
  let context: BrowserContext;
  let page: Page;
  let origin: string;
  const profile = tempDir('brisk-chromium-profile-');
  const artifacts = tempDir('brisk-browser-');
  /** Responses the browser saw, as "<status> <path>". */
  const seen: string[] = [];

  before(async () => {
    demo = await startDemo();
    origin = `http://127.0.0.1:${demo.port}`;
    context = await chromium.launchPersistentContext(profile.dir, {
      executablePath,
      headless: true,
      args: CHROMIUM_ARGS,
      timeout: 30_000,
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(15_000);
    page.on('response', (response) => {
      const url = new URL(response.url());
      if (url.origin === origin) seen.push(`${response.status()} ${url.pathname}`);
    });
  });

  after(async () => {
    await context?.close();
    await demo?.close();
    profile.remove();
    // The screenshot stays for a person to look at; its folder is printed by the test.
  });

  it('loads /static/index.html: text, image decoded, stylesheet applied', { timeout: TEST_TIMEOUT_MS }, async () => {
    const response = await page.goto(`${origin}/static/index.html`, { waitUntil: 'load' });
    assert.equal(response?.status(), 200);
    assert.equal(await page.title(), 'brisk demo');
    assert.equal((await page.textContent('h1'))?.trim(), 'Hello from brisk');
    const image = await page.evaluate<{ complete: boolean; naturalWidth: number; naturalHeight: number }>(IMAGE_STATE);
    assert.deepEqual(image, { complete: true, naturalWidth: 96, naturalHeight: 96 });
    assert.equal(await page.evaluate<string>(H1_COLOR), ACCENT);
  });

  it("the page's WebSocket gets its echo and its EventSource its events", { timeout: TEST_TIMEOUT_MS }, async () => {
    await page.waitForSelector('body[data-ws="echoed"]');
    assert.equal(await page.textContent('#ws-log li'), 'echo: hello over WebSocket');
    assert.equal(await page.textContent('#ws-status'), 'open');
    await page.waitForSelector('body[data-sse="done"]');
    assert.deepEqual(await page.evaluate<string[]>(SSE_LINES), ['tick 1', 'tick 2', 'tick 3']);
    const screenshot = path.join(artifacts.dir, 'demo.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log(`# screenshot: ${screenshot}`);
  });

  it('a reload revalidates the stylesheet and the image: 304 on the wire', { timeout: TEST_TIMEOUT_MS }, async () => {
    const firstLoad = demo.access.filter((e) => e.target.startsWith('/static/')).map((e) => `${e.status} ${e.target}`);
    assert.ok(firstLoad.includes('200 /static/style.css') && firstLoad.includes('200 /static/x.png'), firstLoad.join(', '));
    seen.length = 0;
    const accessBefore = demo.access.length;
    await page.reload({ waitUntil: 'load' });
    // Subresources may still be in flight when 'load' fires for a cached page; wait for both.
    const until = Date.now() + 10_000;
    const served = () => demo.access.slice(accessBefore).map((e) => `${e.status} ${e.target}`);
    while (!(served().some((s) => s.endsWith(' /static/style.css')) && served().some((s) => s.endsWith(' /static/x.png'))) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
    }
    // On the server: the browser asked conditionally and got 304s, without bodies.
    const onServer = served();
    assert.ok(onServer.includes('304 /static/index.html'), onServer.join(', '));
    assert.ok(onServer.includes('304 /static/style.css'), onServer.join(', '));
    assert.ok(onServer.includes('304 /static/x.png'), onServer.join(', '));
    for (const entry of demo.access.slice(accessBefore)) if (entry.status === 304) assert.equal(entry.bytes, 0);
    // In the browser: the same 304s on the wire, and the page still whole.
    assert.ok(seen.includes('304 /static/style.css'), seen.join(', '));
    assert.ok(seen.includes('304 /static/x.png'), seen.join(', '));
    assert.equal((await page.evaluate<{ naturalWidth: number }>(IMAGE_STATE)).naturalWidth, 96);
    assert.equal(await page.evaluate<string>(H1_COLOR), ACCENT);
  });

  it('the demo logged no errors', () => {
    assert.deepEqual(demo.errors, []);
  });
});
