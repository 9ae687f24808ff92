// The demo page in headless Chromium (Debian's /usr/bin/chromium, playwright-core from npm),
// in serial (stock Pyodide) and threaded (CPython on Wasm) mode: loads with no console
// errors, is cross-origin isolated, runs Python in its Web Worker, a synthetic drag
// produces frames that match a reference resize, the pool is warm during the drag and cool
// after, the slowest frame's trace downloads, and with threads the workers do part of the
// work. Screenshots go to build/web/. Needs `make web web-threaded` first.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { createServer, listen } from '../../web/server.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = path.join(REPO, 'build', 'web');
const PY = '/usr/bin/python3';
const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const BOOT_MS = 90_000; // Pyodide starts in ~4 s here; a cold disk or a busy machine is slower
const STEP_MS = 20_000;

let server, base, browser;

before(async () => {
  server = createServer({ repo: REPO });
  base = await listen(server, 0);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: LAUNCH_ARGS, timeout: 60_000 });
});

after(async () => {
  await browser?.close();
  server?.close();
});

// Opens the page in `mode`, recording every console error, page error and failed request.
async function open(mode, query = '', at = base) {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 800, height: 720 } });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_MS);
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  await page.goto(`${at}?mode=${mode}${query}`, { waitUntil: 'load', timeout: STEP_MS });
  await waitState(page, () => window.warmpoolDemo?.ready || window.warmpoolDemo?.errors.length, null, BOOT_MS);
  return { context, page, problems };
}

const demoState = (page) => page.evaluate(() => JSON.parse(JSON.stringify(window.warmpoolDemo)));

async function screenshot(page, name) {
  fs.mkdirSync(OUT, { recursive: true });
  const file = path.join(OUT, name);
  await page.screenshot({ path: file, fullPage: true, timeout: STEP_MS });
  console.log(`# screenshot: ${file}`);
  return file;
}

// Waits until the worker has drawn a frame newer than `seq` and nothing is in flight.
async function settledFrame(page, afterSeq) {
  await waitState(page, (s) => {
    const d = window.warmpoolDemo;
    return d.errors.length || (d.lastFrame && d.lastFrame.seq > s && d.lastFrame.seq === d.receivedSeq);
  }, afterSeq);
  // Give a possibly still-coalesced move time to arrive, then take the newest.
  await page.waitForTimeout(300);
  await waitState(page, () => window.warmpoolDemo.lastFrame.seq === window.warmpoolDemo.receivedSeq);
  return demoState(page);
}

// page.waitForFunction with a timeout whose failure shows the demo state.
async function waitState(page, fn, arg = null, timeout = STEP_MS) {
  try {
    await page.waitForFunction(fn, arg, { timeout });
  } catch (e) {
    const { lastFrame, stats, ...rest } = await demoState(page).catch(() => ({}));
    throw new Error(`${e.message}\nwaiting for ${fn}\nstate: ${JSON.stringify(rest)}\nlast frame: ` +
      `${JSON.stringify(lastFrame)}\nstats: ${JSON.stringify(stats)}`);
  }
}

// Compares the canvas to a reference resize of the same source rectangle, computed
// natively by tests/web/reference.py from the same scene file.
async function checkPixels(page, frame, tag) {
  const dataUrl = await page.evaluate(() => document.getElementById('view').toDataURL('image/png'));
  const png = path.join(OUT, `canvas-${tag}.png`);
  fs.writeFileSync(png, Buffer.from(dataUrl.split(',')[1], 'base64'));
  const [x0, y0, w, h] = frame.srcRect;
  const out = execFileSync(PY, [path.join(REPO, 'tests/web/reference.py'), path.join(OUT, 'scene.bgra'),
    '1280', '960', png, String(x0), String(y0), String(w), String(h), frame.filter], { timeout: 60_000 });
  const r = JSON.parse(out.toString());
  assert.equal(r.width, frame.width);
  assert.equal(r.height, frame.height);
  assert.ok(r.max_diff <= 1, `${tag}: canvas differs from the reference resize by up to ${r.max_diff} ` +
    `(${r.pixels_over_1} pixel channels over 1 LSB) for ${JSON.stringify(frame.srcRect)} ${frame.filter}`);
  assert.equal(r.max_diff_native, 0, `${tag}: the Wasm build's resize differs from the native one`);
  console.log(`# ${tag}: ${JSON.stringify(frame.srcRect)} ${frame.filter} -> max diff ${r.max_diff} vs cv2.resize, ` +
    `${r.max_diff_native} vs native warmpool; ` +
    `serial ${frame.serialMs.toFixed(2)} ms, pooled ${frame.pooledMs.toFixed(2)} ms`);
  return r;
}

async function drag(page, from, to, steps) {
  const box = await page.locator('#view').boundingBox({ timeout: STEP_MS });
  const sx = box.width / 480, sy = box.height / 360; // canvas pixels -> CSS pixels
  await page.mouse.move(box.x + from[0] * sx, box.y + from[1] * sy);
  await page.mouse.down();
  await waitState(page, () => window.warmpoolDemo.stats?.warm === true || window.warmpoolDemo.errors.length);
  const during = await demoState(page);
  await page.mouse.move(box.x + to[0] * sx, box.y + to[1] * sy, { steps });
  const mid = await demoState(page);
  await page.mouse.up();
  return { during, mid };
}

// What differs between the runtimes; everything else is the same demo, checked the same way.
const MODES = {
  serial: {
    runtime: /stock Pyodide 0\.29\.5.*pool threads: 0 \+ the caller/s,
    python: /^3\.13\./,
    pythonInWorker: () => typeof self.loadPyodide === 'function' && typeof self.pyodide === 'undefined',
  },
  threaded: {
    runtime: /threaded CPython 3\.11.*pool threads: [1-9]\d* \+ the caller/s,
    python: /^3\.11\./,
    pythonInWorker: () => typeof self.Module === 'object' && self.Module._Py_IsInitialized() === 1,
  },
};

async function demoTest(mode) {
  const want = MODES[mode];
  const { context, page, problems } = await open(mode);
  try {
    const s = await demoState(page);
    assert.deepEqual(s.errors, []);
    assert.ok(s.ready, 'Python did not start');
    assert.equal(await page.evaluate(() => self.crossOriginIsolated), true);
    assert.match(await page.textContent('#isolation'), /crossOriginIsolated: true/);
    assert.match(await page.textContent('#runtime'), want.runtime);
    assert.match(s.runtime.python, want.python);
    // Python lives in the worker, not on the main thread.
    assert.equal(await page.evaluate(() => typeof self.loadPyodide + typeof self.Module), 'undefinedundefined');
    const worker = page.workers().find((w) => new URL(w.url()).pathname === '/worker.js');
    assert.ok(worker, `no demo worker among ${page.workers().map((w) => w.url())}`);
    assert.equal(await worker.evaluate(want.pythonInWorker), true);

    const first = await settledFrame(page, 0);
    assert.equal(first.lastFrame.seq, 1);
    await checkPixels(page, first.lastFrame, `${mode}-start`);
    assert.equal(first.stats.warm, false);

    // Drag 60 canvas pixels left and 40 up at zoom 0.5: the view moves 120,80 scene pixels
    // right and down (the picture follows the pointer), staying inside the scene.
    const { during } = await drag(page, [300, 200], [240, 160], 25);
    assert.equal(during.stats.warm, true, 'pointer-down did not warm the pool');
    assert.ok(during.stats.warm_on >= 1);
    const end = await settledFrame(page, first.lastFrame.seq);
    assert.equal(end.stats.warm, false, 'pointer-up did not cool the pool');
    assert.match(await page.textContent('#stats'), /pool: cool/);
    const [x0, y0] = first.lastFrame.srcRect, [x1, y1] = end.lastFrame.srcRect;
    assert.deepEqual([x1 - x0, y1 - y0], [120, 80], 'the view did not follow the drag');
    assert.ok(end.lastFrame.seq >= 2 && end.lastFrame.seq <= 1 + 25 + 1, `frames: ${end.lastFrame.seq}`);
    assert.equal(end.lastFrame.movesReceived, end.lastFrame.movesCoalesced + end.lastFrame.seq - 1,
      'every move is either rendered or coalesced');
    assert.ok(end.lastFrame.serialMs > 0 && end.lastFrame.pooledMs > 0);
    await checkPixels(page, end.lastFrame, `${mode}-drag`);
    if (mode === 'threaded') {
      assert.ok(end.stats.workers >= 1 && end.stats.ready === end.stats.workers, JSON.stringify(end.stats));
      assert.ok(end.stats.jobs_parallel > 0, `no job reached the workers: ${JSON.stringify(end.stats)}`);
      assert.ok(end.stats.items_workers > 0, `the workers did none of the work: ${JSON.stringify(end.stats)}`);
    } else {
      assert.equal(end.stats.workers, 0);
      assert.equal(end.stats.items_workers, 0);
    }

    // Zoom in past 1:1: bilinear upscaling of a fractional-size crop.
    const box = await page.locator('#view').boundingBox();
    await page.mouse.move(box.x + box.width / 3, box.y + box.height / 2);
    await page.mouse.wheel(0, -600);
    const zoomed = await settledFrame(page, end.lastFrame.seq);
    assert.equal(zoomed.lastFrame.filter, 'bilinear');
    assert.ok(zoomed.lastFrame.srcRect[2] < 480, `zoom: ${JSON.stringify(zoomed.lastFrame.srcRect)}`);
    await checkPixels(page, zoomed.lastFrame, `${mode}-zoom`);

    // The slowest frame's trace, downloaded through the page's button.
    const slowest = (await demoState(page)).slowest;
    assert.ok(slowest && slowest.seq >= 1 && slowest.ms > 0, JSON.stringify(slowest));
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: STEP_MS }),
      page.click('#save-trace')]);
    const traceFile = path.join(OUT, `trace-${mode}.json`);
    await download.saveAs(traceFile);
    assert.equal(download.suggestedFilename(), `warmpool-slowest-frame-${slowest.seq}.json`);
    const trace = JSON.parse(fs.readFileSync(traceFile, 'utf8'));
    assert.ok(trace.traceEvents.some((e) => e.ph === 'M' && e.name === 'thread_name'), 'no thread names');
    assert.ok(trace.traceEvents.some((e) => e.cat === 'pool'), 'no pool event in the slowest frame');
    console.log(`# ${mode}: trace of frame #${slowest.seq} (${slowest.ms.toFixed(2)} ms): ${traceFile}, ` +
      `${trace.traceEvents.length} events: ${[...new Set(trace.traceEvents.map((e) => e.name))].join(', ')}`);

    // The bigger job behind the bench button runs, serial and pooled, and says so.
    await page.click('#bench');
    await waitState(page, () => window.warmpoolDemo.bench || window.warmpoolDemo.errors.length, null, 60_000);
    const bench = (await demoState(page)).bench;
    assert.ok(bench.serialMs > 0 && bench.pooledMs > 0 && bench.pooledWarmMs > 0, JSON.stringify(bench));
    assert.equal(bench.stats.items_workers > end.stats.items_workers, mode === 'threaded');
    assert.match(await page.textContent('#bench-info'), /1280x960->960x720 area, median of 30/);

    await screenshot(page, `screenshot-${mode}.png`);
    console.log(`# ${mode}: ${await page.textContent('#runtime')}`);
    console.log(`# ${mode}: ${await page.textContent('#stats')}`);
    assert.deepEqual((await demoState(page)).errors, []);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
}

test('serial mode: stock Pyodide in a worker, drag, warm/cool, pixels match the reference',
  { timeout: 240_000 }, () => demoTest('serial'));

test('threaded mode: threaded CPython on Wasm, the pool workers do part of the work',
  { timeout: 240_000 }, () => demoTest('threaded'));

test('moves that arrive during a slow frame are coalesced: only the newest is rendered',
  { timeout: 120_000 }, async () => {
    const { context, page, problems } = await open('serial', '&slowFrameMs=60');
    try {
      const first = await settledFrame(page, 0);
      await drag(page, [300, 200], [240, 160], 30);
      const end = await settledFrame(page, first.lastFrame.seq);
      const f = end.lastFrame;
      console.log(`# coalescing: ${f.movesReceived} moves -> ${f.seq - 1} frames (${f.movesCoalesced} coalesced)`);
      assert.equal(f.movesReceived, 30);
      assert.ok(f.movesCoalesced > 0, 'no move was coalesced');
      assert.equal(f.movesReceived, f.movesCoalesced + f.seq - 1);
      // Coalescing dropped intermediate positions only: the last frame is where the
      // pointer was released.
      assert.deepEqual([f.srcRect[0] - first.lastFrame.srcRect[0], f.srcRect[1] - first.lastFrame.srcRect[1]], [120, 80]);
      assert.deepEqual(end.errors, []);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

// The workaround the threaded mode depends on: each pthread worker has its own empty MEMFS
// and replays the parent's dlopen by path; when nothing is at that path it falls back to a
// synchronous XHR of the same string, so the library's MEMFS path must also be its URL.
test('threaded: a library that lives only in the parent MEMFS cannot start pool threads',
  { timeout: 120_000 }, async () => {
    const { context, page } = await open('threaded', '&break=memfs-only');
    try {
      const s = await demoState(page);
      assert.equal(s.ready, false, 'the pool started although its workers had no library');
      assert.match(s.errors.join('\n'), /Table\.get\(\): invalid address|Could not load dynamic lib|table index is out of bounds/);
    } finally {
      await context.close();
    }
  });

// The other one: a runtime loaded into a Web Worker with importScripts takes the worker's
// own script for itself, so its pthread workers would load worker.js instead of python.js.
test('threaded: without mainScriptUrlOrBlob the pthread workers load the wrong script',
  { timeout: 120_000 }, async () => {
    const { context, page } = await open('threaded', '&break=no-main-url');
    try {
      const s = await demoState(page);
      assert.equal(s.ready, false, 'the pool started without the runtime URL');
      assert.match(s.errors.join('\n'), /importScripts/);
    } finally {
      await context.close();
    }
  });

test('without COOP/COEP the page says threads are impossible; serial still runs, threaded refuses',
  { timeout: 120_000 }, async () => {
    const plain = createServer({ repo: REPO, isolate: false });
    const plainBase = await listen(plain, 0);
    try {
      for (const mode of ['serial', 'threaded']) {
        const { context, page } = await open(mode, '', plainBase);
        try {
          const s = await demoState(page);
          assert.equal(await page.evaluate(() => self.crossOriginIsolated), false);
          assert.match(await page.textContent('#isolation'),
            /crossOriginIsolated: false, SharedArrayBuffer: no.*threads are impossible/s);
          if (mode === 'serial') {
            assert.deepEqual(s.errors, []);
            assert.equal(s.ready, true);
          } else {
            assert.equal(s.ready, false);
            assert.match(s.errors.join('\n'), /needs a cross-origin isolated page/);
          }
        } finally {
          await context.close();
        }
      }
    } finally {
      plain.close();
    }
  });
