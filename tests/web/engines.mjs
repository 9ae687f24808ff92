// The two browser engines the page is tested in, behind one small interface, so that one
// test file (and the bench) runs unchanged in either:
//   chromium: Debian's /usr/bin/chromium through playwright-core (CDP);
//   firefox:  Debian's /usr/bin/firefox-esr through puppeteer-core over WebDriver BiDi
//             (Playwright's Firefox needs its own patched build).
//
//   const browser = await launch('firefox');
//   const page = await browser.newPage({ width: 800, height: 720 });
//   await page.goto(url); await page.waitFor(() => window.x, null, 20_000);
//   page.problems: console errors, page errors, failed requests, HTTP errors, as text.
//
// Every wait polls page.evaluate with a deadline instead of the libraries' own waitFor*,
// so a reload in between (the service worker's) is survived the same way in both.
import { chromium } from 'playwright-core';
import puppeteer from 'puppeteer-core';

export const ENGINES = ['chromium', 'firefox'];

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
// The network is closed: no update, safe-browsing, captive-portal or connectivity checks
// (each would log failed requests or stall start-up).
const FIREFOX_PREFS = {
  'app.update.enabled': false,
  'app.update.auto': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'browser.safebrowsing.downloads.enabled': false,
  'browser.safebrowsing.downloads.remote.enabled': false,
  'browser.safebrowsing.provider.google4.updateURL': '',
  'browser.safebrowsing.provider.mozilla.updateURL': '',
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'captivedetect.canonicalURL': '',
  'extensions.update.enabled': false,
  'extensions.getAddons.cache.enabled': false,
  'browser.newtabpage.enabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.enabled': false,
  'browser.ping-centre.telemetry': false,
  'network.dns.disablePrefetch': true,
  'network.prefetch-next': false,
  'browser.download.folderList': 2,
};

export async function launch(engine) {
  if (engine === 'chromium') return launchChromium();
  if (engine === 'firefox') return launchFirefox();
  throw new Error(`unknown engine ${JSON.stringify(engine)}: one of ${ENGINES.join(', ')}`);
}

function record(problems) {
  return {
    console: (type, text) => { if (type === 'error') problems.push(`console: ${text}`); },
    pageerror: (e) => problems.push(`pageerror: ${e && e.message ? e.message : e}`),
    requestfailed: (url, why) => problems.push(`request failed: ${url} ${why}`),
    response: (status, url) => { if (status >= 400) problems.push(`HTTP ${status}: ${url}`); },
  };
}

// What both engines' pages offer the tests.
class Page {
  constructor(engine, page, context) {
    this.engine = engine;
    this.raw = page;
    this.context = context;
    this.problems = [];
  }

  async goto(url, timeout) { await this.raw.goto(url, { waitUntil: 'load', timeout }); }

  evaluate(fn, arg) { return this.raw.evaluate(fn, arg); }

  // Polls fn(arg) in the page until it is truthy; returns its value. Evaluation errors
  // (a navigation in between) count as "not yet".
  async waitFor(fn, arg, timeout, describe = () => '') {
    const end = Date.now() + timeout;
    let last;
    for (;;) {
      try {
        const v = await this.raw.evaluate(fn, arg);
        if (v) return v;
      } catch (e) {
        last = e;
      }
      if (Date.now() > end) {
        throw new Error(`${this.engine}: timed out after ${timeout} ms waiting for ${fn}` +
          `${last ? ` (last error: ${last.message})` : ''}\n${await describe()}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  box(selector) {
    return this.raw.evaluate((s) => {
      const r = document.querySelector(s).getBoundingClientRect();
      return { x: r.x, y: r.y, width: r.width, height: r.height };
    }, selector);
  }

  text(selector) { return this.raw.evaluate((s) => document.querySelector(s).textContent, selector); }

  click(selector) { return this.raw.click(selector); }

  screenshot(file) { return this.raw.screenshot({ path: file, fullPage: true }); }

  close() { return this.context.close(); }
}

class ChromiumPage extends Page {
  get mouse() {
    const m = this.raw.mouse;
    return { move: (x, y, steps = 1) => m.move(x, y, { steps }), down: () => m.down(), up: () => m.up(),
      wheel: (dy) => m.wheel(0, dy) };
  }
}

class FirefoxPage extends Page {
  get mouse() {
    const m = this.raw.mouse;
    return { move: (x, y, steps = 1) => m.move(x, y, { steps }), down: () => m.down(), up: () => m.up(),
      wheel: (dy) => m.wheel({ deltaY: dy }) };
  }
}

async function launchChromium() {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, timeout: 60_000 });
  return {
    engine: 'chromium',
    version: browser.version(),
    async newPage({ width, height }) {
      const context = await browser.newContext({ viewport: { width, height } });
      const raw = await context.newPage();
      const p = new ChromiumPage('chromium', raw, context);
      watch(raw, p.problems);
      return p;
    },
    close: () => browser.close(),
  };
}

// Both drivers' pages emit the same events with the same accessors.
function watch(raw, problems) {
  const r = record(problems);
  raw.on('console', (m) => r.console(m.type(), m.text()));
  raw.on('pageerror', r.pageerror);
  raw.on('requestfailed', (q) => r.requestfailed(q.url(), q.failure()?.errorText));
  raw.on('response', (s) => r.response(s.status(), s.url()));
}

async function launchFirefox() {
  const browser = await puppeteer.launch({
    browser: 'firefox', executablePath: '/usr/bin/firefox-esr', headless: true, timeout: 60_000,
    protocolTimeout: 120_000, extraPrefsFirefox: FIREFOX_PREFS,
  });
  return {
    engine: 'firefox',
    version: await browser.version(),
    async newPage({ width, height }) {
      const context = await browser.createBrowserContext();
      const raw = await context.newPage();
      await raw.setViewport({ width, height });
      const p = new FirefoxPage('firefox', raw, context);
      watch(raw, p.problems);
      return p;
    },
    close: () => browser.close(),
  };
}
