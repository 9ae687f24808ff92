// The demo page in one headless browser engine (WEB_ENGINE=chromium|firefox, see
// engines.mjs), on every stock Pyodide the build has (build/web/manifest.json; WEB_PYODIDE
// = a comma-separated subset) and in threaded mode (CPython on Wasm): loads with no
// console errors, is cross-origin isolated, runs Python in its module Web Worker, a
// synthetic drag produces frames that match a reference resize, the pool is warm during
// the drag and cool after, the chart and the timeline are drawn from the frames' own
// data and the pool's trace events (their lanes add up to the pool's counters), the
// slowest frame's trace saves, and with threads the workers do part of the work. Also:
// coalescing, the two threaded-mode workarounds, a server without COOP/COEP with and
// without our service worker. Screenshots go to build/web/. Needs `make web web-threaded`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { launch } from './engines.mjs';
import { createServer, listen } from '../../web/server.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = path.join(REPO, 'build', 'web');
const PY = '/usr/bin/python3';
const ENGINE = process.env.WEB_ENGINE || 'chromium';
const MANIFEST = JSON.parse(fs.readFileSync(path.join(OUT, 'manifest.json'), 'utf8'));
const PYODIDES = process.env.WEB_PYODIDE ? process.env.WEB_PYODIDE.split(',') : Object.keys(MANIFEST.pyodide);
const DEFAULT = MANIFEST.defaultPyodide;
const BOOT_MS = 90_000; // Pyodide starts in 3-6 s here; a cold disk or a busy machine is slower
const STEP_MS = 20_000;
const VIEWPORT = { width: 800, height: 900 };

// What the two engines do differently, as measured here; the tests hold each engine to its
// own line. timerStep: performance.now()'s step, in us, when cross-origin isolated (at
// most) and when not (at least): it bounds what the timeline can resolve. badTableGet:
// how a pthread worker's call through a garbage table entry is reported.
const FACTS = {
  chromium: { timerStep: { isolated: 5, plain: 100 },
    badTableGet: /WebAssembly\.Table\.get\(\): invalid address|table index is out of bounds|Could not load dynamic lib/ },
  firefox: { timerStep: { isolated: 20, plain: 1000 },
    badTableGet: /RangeError: bad Table get address|Could not load dynamic lib/ },
};

let server, base, browser;

before(async () => {
  assert.ok(FACTS[ENGINE], `WEB_ENGINE=${ENGINE}: one of ${Object.keys(FACTS).join(', ')}`);
  for (const k of PYODIDES) assert.ok(MANIFEST.pyodide[k], `WEB_PYODIDE: no Pyodide ${k} in the manifest`);
  server = createServer({ repo: REPO });
  base = await listen(server, 0);
  browser = await launch(ENGINE);
  console.log(`# ${ENGINE} ${browser.version}; Pyodide ${PYODIDES.map((k) => MANIFEST.pyodide[k].version).join(', ')}`);
});

after(async () => {
  await browser?.close();
  server?.close();
});

const demoState = (page) => page.evaluate(() => JSON.parse(JSON.stringify(window.warmpoolDemo)));

async function describe(page) {
  const { lastFrame, stats, frameLog, timelineLog, timeline, chart, ...rest } = await demoState(page).catch(() => ({}));
  return `state: ${JSON.stringify(rest)}\nlast frame: ${JSON.stringify(lastFrame && { ...lastFrame, timeline: undefined })}\n` +
    `stats: ${JSON.stringify(stats)}`;
}

// page.waitFor whose failure shows the demo state.
const waitState = (page, fn, arg = null, timeout = STEP_MS) => page.waitFor(fn, arg, timeout, () => describe(page));

// Opens the page with `query`, recording every console error, page error and failed request.
async function open(query, at = base) {
  const page = await browser.newPage(VIEWPORT);
  const t0 = Date.now();
  await page.goto(`${at}?${query}`, STEP_MS);
  await waitState(page, () => window.warmpoolDemo?.ready || window.warmpoolDemo?.errors.length, null, BOOT_MS);
  page.bootMs = Date.now() - t0;
  return page;
}

async function screenshot(page, name) {
  fs.mkdirSync(OUT, { recursive: true });
  const file = path.join(OUT, name);
  await page.screenshot(file);
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
  await new Promise((r) => setTimeout(r, 300));
  await waitState(page, () => window.warmpoolDemo.lastFrame.seq === window.warmpoolDemo.receivedSeq);
  return demoState(page);
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
    `${r.max_diff_native} vs native warmpool; serial ${frame.serialMs.toFixed(2)} ms, pooled ${frame.pooledMs.toFixed(2)} ms`);
  return r;
}

// A drag from `from` to `to` (canvas pixels) in `steps` moves; `whileDown(page)` runs
// before the button is released (the pool still warm).
async function drag(page, from, to, steps, whileDown) {
  const box = await page.box('#view');
  const sx = box.width / 480, sy = box.height / 360; // canvas pixels -> CSS pixels
  await page.mouse.move(box.x + from[0] * sx, box.y + from[1] * sy);
  await page.mouse.down();
  await waitState(page, () => window.warmpoolDemo.stats?.warm === true || window.warmpoolDemo.errors.length);
  const during = await demoState(page);
  await page.mouse.move(box.x + to[0] * sx, box.y + to[1] * sy, steps);
  if (whileDown) await whileDown(page);
  await page.mouse.up();
  return { during };
}

// The timeline of every drawn frame against the pool's counters for that frame's pooled
// run: the bars drawn on the worker lanes are the chunks the workers ran, and so on.
function checkTimelines(log, mode) {
  assert.ok(log.length >= 2, `only ${log.length} timelines drawn`);
  for (const { seq, drawn, counters: c } of log) {
    const at = `frame #${seq}: drawn ${JSON.stringify(drawn)}, counters ${JSON.stringify(c)}`;
    const [caller, ...workers] = drawn.lanes;
    assert.equal(caller.thread, 0, at);
    assert.deepEqual(workers.map((w) => w.thread), workers.map((_, i) => i + 1), at);
    assert.equal(workers.reduce((n, w) => n + w.bars, 0), c.chunks_workers, `worker bars != chunks_workers; ${at}`);
    assert.equal(workers.reduce((n, w) => n + w.items, 0), c.items_workers, `worker items != items_workers; ${at}`);
    assert.equal(caller.items + caller.serialItems, c.items_caller, `caller items != items_caller; ${at}`);
    assert.equal(drawn.jobs, c.jobs_parallel, at);
    const serialJobs = Object.entries(c).filter(([k]) => k.startsWith('jobs_serial_')).reduce((n, [, v]) => n + v, 0);
    assert.equal(caller.serialJobs, serialJobs, at);
    assert.equal(workers.reduce((n, w) => n + w.joinedWakes, 0), c.joins, `joined wake-ups != joins; ${at}`);
    // A worker wakes after the job it woke for was published: on Wasm every thread
    // reads its own performance.now(), and the threaded runtime's clocks agree only
    // thanks to the browser adaptation's clock fix (then within the clocks' steps: each of
    // the two readings is coarsened by a step and jittered by up to another; without the
    // fix workers came out up to 1.5 ms early).
    for (const wl of workers) {
      if (wl.minLatencyUs != null) {
        assert.ok(wl.minLatencyUs >= -3 * FACTS[ENGINE].timerStep.isolated,
          `worker ${wl.thread} woke ${-wl.minLatencyUs} us before its job was published; ${at}`);
      }
    }
    if (mode === 'serial') assert.ok(caller.serialJobs > 0 && caller.bars === 0, `serial library: ${at}`);
    else assert.ok(drawn.jobs > 0 && drawn.lanes.some((l) => l.bars > 0), `threaded: ${at}`);
  }
}

// Whether a worker joins a given job depends on the moment (on this shared machine a
// worker is sometimes late for every job of a short drag), and only drawn frames have a
// timeline (coalesced ones are never drawn): drag on, a few times at most, until the
// workers did items and a drawn timeline shows their chunks. Returns those chunks.
async function dragUntilWorkersDrawn(page, state) {
  const workerBars = (log) => log.reduce((n, t) => n + t.drawn.lanes.slice(1).reduce((m, l) => m + l.bars, 0), 0);
  let bars = workerBars(state.timelineLog);
  for (let i = 0; i < 6 && (bars === 0 || state.stats.items_workers === 0); i++) {
    await drag(page, [240, 160], [250 + 10 * (i % 2), 170], 12);
    state = await settledFrame(page, state.lastFrame.seq);
    checkTimelines(state.timelineLog, 'threaded');
    bars = workerBars(state.timelineLog);
  }
  assert.ok(state.stats.items_workers > 0, `the workers did none of the work: ${JSON.stringify(state.stats)}`);
  assert.ok(bars > 0, 'no worker chunk in any drawn timeline');
  return bars;
}

// The canvases hold what their models say: sample pixels where bars must be.
async function checkPictures(page) {
  const r = await page.evaluate(() => {
    const d = window.warmpoolDemo;
    const ink = (id) => {
      const c = document.getElementById(id);
      const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < px.length; i += 4) n += px[i] !== 255 || px[i + 1] !== 255 || px[i + 2] !== 255;
      return n / (px.length / 4);
    };
    return { chart: d.chart, inkChart: ink('chart'), inkTimeline: ink('timeline'), frames: d.framesReceived };
  });
  assert.equal(r.chart.frames, Math.min(200, r.frames), JSON.stringify(r.chart));
  assert.equal(r.chart.serial.points, r.chart.frames);
  assert.equal(r.chart.pooled.points, r.chart.frames);
  assert.ok(r.inkChart > 0.01 && r.inkTimeline > 0.01, `blank picture: ${JSON.stringify(r)}`);
}

// What differs between the runtimes; everything else is the same demo, checked the same way.
function want(mode, key) {
  if (mode === 'threaded') {
    return { runtime: /threaded CPython 3\.11.*1 pool threads \+ the caller/s, python: /^3\.11\./, key: 'threaded' };
  }
  const v = MANIFEST.pyodide[key].version;
  return { runtime: new RegExp(`stock Pyodide ${v.replace(/\./g, '\\.')}.*0 pool threads \\+ the caller`, 's'),
           python: /^3\.1[2-9]\./, key };
}

async function demoTest(mode, key) {
  const w = want(mode, key);
  const tag = `${ENGINE}-${mode === 'serial' ? `pyodide-${key}` : 'threaded'}`;
  const page = await open(mode === 'serial' ? `mode=serial&pyodide=${key}` : 'mode=threaded');
  try {
    const s = await demoState(page);
    assert.deepEqual(s.errors, []);
    assert.ok(s.ready, 'Python did not start');
    assert.equal(await page.evaluate(() => self.crossOriginIsolated), true);
    assert.match(await page.text('#isolation'), /^cross-origin isolated: SharedArrayBuffer yes/);
    assert.match(await page.text('#runtime'), w.runtime);
    assert.match(s.runtime.python, w.python);
    assert.equal(s.runtime.key, w.key);
    // The package came the way the manifest says; a Pyodide wheel's library is used where
    // Pyodide's installer put it, the threaded runtime's is always the served one.
    const pkg = MANIFEST.package[mode === 'serial' ? 'pyodide' : 'threaded'];
    assert.equal(s.runtime.package, `${pkg.kind} ${pkg.url}`);
    if (mode === 'threaded') assert.equal(s.runtime.lib, '/build/wasm/libwarmpool.so');
    else if (pkg.kind === 'wheel') assert.match(s.runtime.lib, /^\/lib\/python3\.\d+\/site-packages\/warmpool\/libwarmpool-serial\.so$/);
    else assert.equal(s.runtime.lib, '/home/pyodide/warmpool/libwarmpool-serial.so');
    // Python lives in the module worker, not on the main thread.
    assert.equal(await page.evaluate(() => typeof self.loadPyodide + typeof self.Module + typeof self.pyodide),
      'undefinedundefinedundefined');
    await page.evaluate(() => window.warmpoolDemo.askProbe());
    const probe = await waitState(page, () => window.warmpoolDemo.probe);
    assert.equal(probe.scope, 'DedicatedWorkerGlobalScope');
    assert.equal(probe.isWorker, true);
    assert.equal(probe.moduleWorker, true, 'not a module worker');
    assert.equal(probe.python.version, s.runtime.python);
    assert.equal(probe.python.platform, 'emscripten');
    // Engine facts: a dedicated worker may block in Atomics.wait (the threaded runtime's
    // futexes need it), the main thread may not; both engines agree on that, not on the
    // clock's step (logged: it bounds what the timeline can resolve).
    assert.equal(probe.atomicsWait, 'timed-out', `Atomics.wait in the worker: ${probe.atomicsWait}`);
    assert.match(s.mainFacts.atomicsWait, /^TypeError/, `Atomics.wait on the main thread: ${s.mainFacts.atomicsWait}`);
    const step = FACTS[ENGINE].timerStep.isolated * 1.01;
    assert.ok(probe.timerStepMs * 1e3 <= step && s.mainFacts.timerStepMs * 1e3 <= step,
      `${ENGINE} isolated: performance.now() steps by more than ${step} us: ${JSON.stringify([probe, s.mainFacts])}`);
    console.log(`# ${tag}: booted in ${page.bootMs} ms (runtime says ${s.runtime.bootMs.toFixed(0)} ms); ` +
      `performance.now() step: worker ${probe.timerStepMs * 1e3} us, main ${s.mainFacts.timerStepMs * 1e3} us`);

    const first = await settledFrame(page, 0);
    assert.equal(first.lastFrame.seq, 1);
    await checkPixels(page, first.lastFrame, `${tag}-start`);
    assert.equal(first.stats.warm, false);

    // Drag 60 canvas pixels left and 40 up at zoom 0.5: the view moves 120,80 scene pixels
    // right and down (the picture follows the pointer), staying inside the scene.
    // The picture of a warm frame: the pool is warm until the button is released.
    const { during } = await drag(page, [300, 200], [240, 160], 25, async () => {
      await waitState(page, () => window.warmpoolDemo.lastFrame.seq === window.warmpoolDemo.receivedSeq &&
        window.warmpoolDemo.timeline?.model.warm);
      await screenshot(page, `screenshot-${tag}-warm.png`);
    });
    assert.equal(during.stats.warm, true, 'pointer-down did not warm the pool');
    assert.ok(during.stats.warm_on >= 1);
    const end = await settledFrame(page, first.lastFrame.seq);
    assert.equal(end.stats.warm, false, 'pointer-up did not cool the pool');
    assert.match(await page.text('#stats'), /^pool cool/);
    const [x0, y0] = first.lastFrame.srcRect, [x1, y1] = end.lastFrame.srcRect;
    assert.deepEqual([x1 - x0, y1 - y0], [120, 80], 'the view did not follow the drag');
    assert.ok(end.lastFrame.seq >= 2 && end.lastFrame.seq <= 1 + 25 + 1, `frames: ${end.lastFrame.seq}`);
    assert.equal(end.lastFrame.movesReceived, end.lastFrame.movesCoalesced + end.lastFrame.seq - 1,
      'every move is either rendered or coalesced');
    assert.ok(end.lastFrame.serialMs > 0 && end.lastFrame.pooledMs > 0);
    await checkPixels(page, end.lastFrame, `${tag}-drag`);
    // Frames rendered while the pointer was down ran on a warm pool, and their timelines
    // say so.
    assert.ok(end.timelineLog.some((t) => t.warm), 'no timeline of a warm frame');
    checkTimelines(end.timelineLog, mode);
    assert.equal(end.timeline.seq, end.lastFrame.seq, 'the timeline is not the last frame\'s');
    if (mode === 'threaded') {
      assert.ok(end.stats.workers >= 1 && end.stats.ready === end.stats.workers, JSON.stringify(end.stats));
      assert.ok(end.stats.jobs_parallel > 0, `no job reached the workers: ${JSON.stringify(end.stats)}`);
      const bars = await dragUntilWorkersDrawn(page, end);
      console.log(`# ${tag}: worker chunks drawn in ${end.timelineLog.length} timelines: ${bars}; warm wake-ups ` +
        `${end.timelineLog.reduce((n, t) => n + t.drawn.lanes.reduce((m, l) => m + l.warmWakes, 0), 0)}, cold ` +
        `${end.timelineLog.reduce((n, t) => n + t.drawn.lanes.reduce((m, l) => m + l.coldWakes, 0), 0)}`);
    } else {
      assert.equal(end.stats.workers, 0);
      assert.equal(end.stats.items_workers, 0);
    }

    // Zoom in past 1:1: bilinear upscaling of a fractional-size crop.
    const box = await page.box('#view');
    await page.mouse.move(box.x + box.width / 3, box.y + box.height / 2);
    await page.mouse.wheel(-600);
    const zoomed = await settledFrame(page, end.lastFrame.seq);
    assert.equal(zoomed.lastFrame.filter, 'bilinear');
    assert.ok(zoomed.lastFrame.srcRect[2] < 480, `zoom: ${JSON.stringify(zoomed.lastFrame.srcRect)}`);
    await checkPixels(page, zoomed.lastFrame, `${tag}-zoom`);
    await checkPictures(page);

    // The slowest frame's trace, saved through the page's button (a download) and read
    // back from the page's blob URL.
    const slowest = zoomed.slowest;
    assert.ok(slowest && slowest.seq >= 1 && slowest.ms > 0, JSON.stringify(slowest));
    await page.click('#save-trace');
    const saved = await waitState(page, () => window.warmpoolDemo.trace || window.warmpoolDemo.errors.length);
    assert.equal(saved.name, `warmpool-slowest-frame-${slowest.seq}.json`);
    const text = await page.evaluate((url) => fetch(url).then((r) => r.text()), saved.url);
    const traceFile = path.join(OUT, `trace-${tag}.json`);
    fs.writeFileSync(traceFile, text);
    const trace = JSON.parse(text);
    assert.ok(trace.traceEvents.some((e) => e.ph === 'M' && e.name === 'thread_name'), 'no thread names');
    assert.ok(trace.traceEvents.some((e) => e.cat === 'pool'), 'no pool event in the slowest frame');
    console.log(`# ${tag}: trace of frame #${slowest.seq} (${slowest.ms.toFixed(2)} ms): ${traceFile}, ` +
      `${trace.traceEvents.length} events`);

    // The bigger job behind the bench button runs, serial and pooled, and says so.
    await page.click('#bench');
    await waitState(page, () => window.warmpoolDemo.bench || window.warmpoolDemo.errors.length, null, 60_000);
    const bench = (await demoState(page)).bench;
    assert.ok(bench.serialMs > 0 && bench.pooledMs > 0 && bench.pooledWarmMs > 0, JSON.stringify(bench));
    assert.equal(bench.stats.items_workers > end.stats.items_workers, mode === 'threaded');
    assert.match(await page.text('#bench-info'), /1280x960->960x720 area, median of 30/);

    await screenshot(page, `screenshot-${tag}.png`);
    console.log(`# ${tag}: ${await page.text('#runtime')}`);
    console.log(`# ${tag}: ${await page.text('#stats')}`);
    assert.deepEqual((await demoState(page)).errors, []);
    assert.deepEqual(page.problems, []);
  } finally {
    await page.close();
  }
}

for (const key of PYODIDES) {
  test(`${ENGINE}, Pyodide ${MANIFEST.pyodide[key].version}${key === DEFAULT ? ' (the default)' : ''}: ` +
    'module worker, drag, warm/cool, pixels match the reference, chart and timeline from real events',
  { timeout: 240_000 }, () => demoTest('serial', key));
}

test(`${ENGINE}, threaded CPython on Wasm: the pool workers do part of the work, drawn lane by lane`,
  { timeout: 240_000 }, () => demoTest('threaded'));

test(`${ENGINE}: without ?pyodide the page runs the newest Pyodide`, { timeout: 120_000 }, async () => {
  const page = await open('mode=serial');
  try {
    const s = await demoState(page);
    assert.deepEqual(s.errors, []);
    assert.equal(s.runtime.key, DEFAULT);
    assert.equal(DEFAULT, Object.keys(MANIFEST.pyodide).sort((a, b) => parseFloat(a) - parseFloat(b)).at(-1));
  } finally {
    await page.close();
  }
});

test(`${ENGINE}: a Pyodide the build does not have is refused by name`, { timeout: 60_000 }, async () => {
  const page = await open('mode=serial&pyodide=0.1');
  try {
    const s = await demoState(page);
    assert.equal(s.ready, false);
    assert.match(s.errors.join('\n'), /no Pyodide "0\.1" here; built: /);
  } finally {
    await page.close();
  }
});

test(`${ENGINE}: moves that arrive during a slow frame are coalesced: only the newest is rendered`,
  { timeout: 120_000 }, async () => {
    const page = await open('mode=serial&slowFrameMs=60');
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
      assert.deepEqual(page.problems, []);
    } finally {
      await page.close();
    }
  });

// The workaround the threaded mode depends on: each pthread worker has its own empty MEMFS
// and replays the parent's dlopen by path; when nothing is at that path it falls back to a
// synchronous XHR of the same string, so the library's MEMFS path must also be its URL.
test(`${ENGINE}, threaded: a library that lives only in the parent MEMFS cannot start pool threads`,
  { timeout: 120_000 }, async () => {
    const page = await open('mode=threaded&break=memfs-only');
    try {
      const s = await demoState(page);
      assert.equal(s.ready, false, 'the pool started although its workers had no library');
      assert.match(s.errors.join('\n'), FACTS[ENGINE].badTableGet);
    } finally {
      await page.close();
    }
  });

// The other one: glue evaluated inside our (module) worker takes the worker's own script
// for itself, so its pthread workers would importScripts() worker.js, a module.
test(`${ENGINE}, threaded: without mainScriptUrlOrBlob the pthread workers load the wrong script`,
  { timeout: 120_000 }, async () => {
    const page = await open('mode=threaded&break=no-main-url');
    try {
      const s = await demoState(page);
      assert.equal(s.ready, false, 'the pool started without the runtime URL');
      assert.match(s.errors.join('\n'), /importScripts|worker\.js|import declarations|import statement/);
    } finally {
      await page.close();
    }
  });

// A host that cannot send headers (isolate: false: the same server without COOP/COEP).
test(`${ENGINE}: without COOP/COEP the page says why threads are off; serial runs, threaded refuses`,
  { timeout: 180_000 }, async () => {
    const plain = createServer({ repo: REPO, isolate: false });
    const plainBase = await listen(plain, 0);
    try {
      for (const mode of ['serial', 'threaded']) {
        const page = await open(`mode=${mode}`, plainBase);
        try {
          const s = await demoState(page);
          assert.equal(await page.evaluate(() => self.crossOriginIsolated), false);
          assert.match(await page.text('#isolation'),
            /^not cross-origin isolated, no SharedArrayBuffer: threads are off\. This server sends no COOP\/COEP headers.*Serial mode still runs/s);
          assert.equal(await page.evaluate(() => document.getElementById('coi-link').hidden), false);
          assert.equal(s.coi.state, 'off');
          // Without isolation the clocks are coarser (logged; engines differ).
          assert.ok(s.mainFacts.timerStepMs * 1e3 >= FACTS[ENGINE].timerStep.plain * 0.99,
            `${ENGINE} not isolated: performance.now() steps by ${s.mainFacts.timerStepMs * 1e3} us`);
          assert.equal(s.mainFacts.atomicsWait, 'no SharedArrayBuffer');
          if (mode === 'serial') {
            assert.deepEqual(s.errors, []);
            assert.equal(s.ready, true);
            await settledFrame(page, 0);
          } else {
            assert.equal(s.ready, false);
            assert.match(s.errors.join('\n'), /needs a cross-origin isolated page/);
          }
        } finally {
          await page.close();
        }
      }
    } finally {
      plain.close();
    }
  });

test(`${ENGINE}: on a header-less server, ?coi=1 isolates the page through our service worker; threads work`,
  { timeout: 180_000 }, async () => {
    const plain = createServer({ repo: REPO, isolate: false });
    const plainBase = await listen(plain, 0);
    try {
      const page = await browser.newPage(VIEWPORT);
      try {
        await page.goto(`${plainBase}?mode=threaded&coi=1`, STEP_MS);
        // One reload later the service worker serves the page with the headers.
        await waitState(page, () => window.warmpoolDemo?.ready || window.warmpoolDemo?.errors.length, null, BOOT_MS);
        const s = await demoState(page);
        assert.deepEqual(s.errors, []);
        assert.equal(s.coi.state, 'active');
        assert.equal(await page.evaluate(() => self.crossOriginIsolated), true);
        assert.equal(await page.evaluate(() => !!navigator.serviceWorker.controller), true);
        assert.match(await page.text('#isolation'), /^cross-origin isolated \(through our service worker\)/);
        const first = await settledFrame(page, 0);
        const { during } = await drag(page, [300, 200], [240, 160], 15);
        assert.equal(during.stats.warm, true);
        const end = await settledFrame(page, first.lastFrame.seq);
        assert.ok(end.stats.workers >= 1, JSON.stringify(end.stats));
        checkTimelines(end.timelineLog, 'threaded');
        await dragUntilWorkersDrawn(page, end);
        await screenshot(page, `screenshot-${ENGINE}-service-worker.png`);
        // The service worker's one reload aborts what the first load still had in flight
        // (its module imports): those aborts are the reload, not a problem.
        assert.deepEqual(page.problems.filter((m) => !/ERR_ABORTED|NS_BINDING_ABORTED/.test(m)), []);
        // It stays registered: a later load without ?coi=1 comes through it too, and
        // ?coi=0 removes it (one reload), after which the page is not isolated.
        await page.goto(`${plainBase}?mode=serial`, STEP_MS);
        await waitState(page, () => window.warmpoolDemo?.ready || window.warmpoolDemo?.errors.length, null, BOOT_MS);
        assert.equal(await page.evaluate(() => self.crossOriginIsolated), true);
        assert.equal((await demoState(page)).coi.state, 'active');
        await page.goto(`${plainBase}?mode=serial&coi=0`, STEP_MS);
        await waitState(page, () => !location.search.includes('coi=0') && window.warmpoolDemo?.ready, null, BOOT_MS);
        const s2 = await demoState(page);
        assert.equal(await page.evaluate(() => self.crossOriginIsolated), false);
        assert.equal(s2.coi.state, 'off');
        assert.equal(await page.evaluate(() => navigator.serviceWorker.getRegistrations().then((r) => r.length)), 0);
        assert.deepEqual(s2.errors, []);
      } finally {
        await page.close();
      }
    } finally {
      plain.close();
    }
  });

// pyodide.loadPackage(url) logs a failure and resolves anyway: the page checks what it
// installed. A build whose manifest names a wheel that is not one (a copy of build/web/,
// hard links, with that manifest).
test(`${ENGINE}: a wheel Pyodide cannot install is reported as such`, { timeout: 120_000 }, async () => {
  const tree = path.join(REPO, 'build', 'web-test-bad-wheel');
  fs.rmSync(tree, { recursive: true, force: true });
  execFileSync('cp', ['-al', OUT, tree]);
  const mf = JSON.parse(fs.readFileSync(path.join(tree, 'manifest.json'), 'utf8'));
  mf.package.pyodide = { kind: 'wheel', url: 'wheels/warmpool-0.0.0-py3-none-any.whl' };
  fs.rmSync(path.join(tree, 'manifest.json'));
  fs.writeFileSync(path.join(tree, 'manifest.json'), JSON.stringify(mf));
  fs.mkdirSync(path.join(tree, 'wheels'), { recursive: true });
  fs.writeFileSync(path.join(tree, mf.package.pyodide.url), 'not a zip');
  const bad = createServer({ repo: REPO, mounts: [{ prefix: '/build/', dir: tree }, { prefix: '/', dir: path.join(REPO, 'web') }] });
  const badBase = await listen(bad, 0);
  try {
    const page = await open(`mode=serial&pyodide=${DEFAULT}`, badBase);
    try {
      const s = await demoState(page);
      assert.equal(s.ready, false);
      assert.match(s.errors.join('\n'), /pyodide\.loadPackage\(wheels\/warmpool-0\.0\.0-py3-none-any\.whl\) installed \[\]/);
    } finally {
      await page.close();
    }
  } finally {
    bad.close();
    fs.rmSync(tree, { recursive: true, force: true });
  }
});
