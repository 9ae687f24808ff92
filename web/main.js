// Main thread (a module script): collects input, forwards it to the worker, draws the
// frames that come back and the two pictures (frame times, the last pooled run's
// timeline). It never runs Python and never waits for the worker, so input stays
// responsive however long a frame takes. State for tests and curious users:
// window.warmpoolDemo.
import { drawChart, drawTimeline } from './charts.js';
import { engineFacts } from './facts.js';

const $ = (id) => document.getElementById(id);
const canvas = $('view');
const ctx = canvas.getContext('2d');
const params = new URLSearchParams(location.search);
const mode = params.get('mode') === 'threaded' ? 'threaded' : 'serial';
const CHART_FRAMES = 200;
const demo = (window.warmpoolDemo = {
  mode, ready: false, runtime: null, framesReceived: 0, framesDrawn: 0, receivedSeq: 0, lastFrame: null,
  slowest: null, stats: null, errors: [], trace: null, posted: 0, frameLog: [], chart: null, timeline: null, timelineLog: [],
  coi: null, probe: null,
});

function fail(msg) {
  demo.errors.push(String(msg));
  $('error').textContent = demo.errors.join('\n');
  console.error(`warmpool demo: ${msg}`);
}

// Isolation: what the page has, and if threads are off, why, and what would turn them on.
const isolated = self.crossOriginIsolated === true;
const sab = typeof SharedArrayBuffer === 'function';
function showIsolation(coi) {
  $('isolation').textContent = isolated && sab
    ? `cross-origin isolated${coi.state === 'active' ? ' (through our service worker)' : ''}: ` +
      `SharedArrayBuffer yes, ${navigator.hardwareConcurrency} cores; Wasm threads possible.`
    : `not cross-origin isolated, no SharedArrayBuffer: threads are off. This server sends no ` +
      `COOP/COEP headers${coi.reason ? ` (${coi.reason})` : ''}. Serial mode still runs.`;
  const a = $('coi-link');
  a.hidden = (isolated && sab) || coi.state === 'reloading' || coi.state === 'unavailable';
  const q = new URLSearchParams(location.search);
  q.set('coi', '1');
  a.href = `?${q}`;
}
document.querySelectorAll('#modes a').forEach((a) => {
  const q = new URLSearchParams(a.getAttribute('href').slice(1));
  const here = q.get('mode') === mode && (mode === 'threaded' || (q.get('pyodide') || '') === (params.get('pyodide') || ''));
  if (here) a.classList.add('here');
});

// ?slowFrameMs=N makes every frame N ms longer (a busy wait in the worker), to watch moves
// being coalesced; ?break=memfs-only|no-main-url (threaded mode) leaves out one of the two
// workarounds the threaded runtime needs in a Web Worker, to show the failure;
// ?pyodide=KEY picks the stock Pyodide (build/manifest.json lists them; default the newest).
let worker = null;
const post = (msg, transfer) => { demo.posted++; worker.postMessage(msg, transfer || []); };
function start() {
  showIsolation(demo.coi);
  if (demo.coi.state === 'reloading') {
    $('runtime').textContent = 'turning on cross-origin isolation through the service worker: reloading…';
    return;
  }
  // A module worker: stock Pyodide 314 refuses classic ones.
  worker = new Worker('worker.js', { type: 'module', name: `warmpool-python-${mode}` });
  // A blocked worker script (e.g. no COEP) fires 'error' without a message.
  worker.onerror = (e) => { e.preventDefault(); fail(`worker error: ${e.message || 'script blocked or failed to load'}`); };
  worker.onmessageerror = () => fail('worker sent a message that could not be read');
  worker.onmessage = onMessage;
  post({ type: 'init', mode, isolated, cores: navigator.hardwareConcurrency, width: canvas.width, height: canvas.height,
         base: new URL('.', location.href).href, slowFrameMs: Number(params.get('slowFrameMs')) || 0,
         breakWith: params.get('break') || '', pyodide: params.get('pyodide') || '' });
}
demo.coi = window.warmpoolCoi || { state: 'unavailable', reason: 'coi.js did not run' };
// coi.js says when a reload it announced will not happen after all.
window.addEventListener('warmpool-coi', () => { if (!worker) start(); });
start();
demo.mainFacts = engineFacts();
// Asks the worker where Python runs; the answer lands in demo.probe.
demo.askProbe = () => { demo.probe = null; post({ type: 'probe' }); };

// Canvas pixel coordinates, whatever the CSS size.
function pos(e) {
  const r = canvas.getBoundingClientRect();
  return { x: (e.clientX - r.left) * canvas.width / r.width, y: (e.clientY - r.top) * canvas.height / r.height,
           t: performance.timeOrigin + performance.now() };
}
let dragging = false;
canvas.addEventListener('pointerdown', (e) => {
  if (!demo.ready || e.button !== 0) return;
  dragging = true;
  canvas.setPointerCapture(e.pointerId);
  canvas.classList.add('dragging');
  post({ type: 'down', ...pos(e) });
});
canvas.addEventListener('pointermove', (e) => { if (dragging) post({ type: 'move', ...pos(e) }); });
const up = (e) => {
  if (!dragging) return;
  dragging = false;
  canvas.classList.remove('dragging');
  post({ type: 'up', ...pos(e) });
};
canvas.addEventListener('pointerup', up);
canvas.addEventListener('pointercancel', up);
canvas.addEventListener('wheel', (e) => {
  e.preventDefault();
  if (demo.ready) post({ type: 'wheel', dy: e.deltaY, ...pos(e) });
}, { passive: false });
$('save-trace').addEventListener('click', () => post({ type: 'save-trace' }));
$('bench').addEventListener('click', () => {
  $('bench').disabled = true;
  $('bench-info').textContent = 'running…';
  post({ type: 'bench', runs: 30 });
});

// Only the newest frame is drawn, once per display frame; the chart keeps every frame's
// times, the timeline shows the newest drawn frame's pooled run.
let pending = null;
const history = [];
const ms = (x) => (x == null ? '-' : x.toFixed(2));
function draw() {
  const f = pending;
  pending = null;
  if (!f) return;
  ctx.putImageData(new ImageData(new Uint8ClampedArray(f.rgba), f.width, f.height), 0, 0);
  demo.framesDrawn++;
  const latency = performance.timeOrigin + performance.now() - (f.inputT || 0);
  delete f.rgba;
  demo.lastFrame = { ...f, drawLatencyMs: f.inputT ? latency : null };
  if (demo.frameLog.length < 5000) {
    demo.frameLog.push({ seq: f.seq, serialMs: f.serialMs, pooledMs: f.pooledMs, filter: f.filter,
                         latencyMs: demo.lastFrame.drawLatencyMs });
  }
  demo.chart = drawChart($('chart'), history, CHART_FRAMES);
  demo.medianMs = { serial: demo.chart.serial.medianMs, pooled: demo.chart.pooled.medianMs, frames: history.length };
  if (f.timeline) {
    const drawn = drawTimeline($('timeline'), f.timeline, `frame #${f.seq}, pooled run`);
    demo.timeline = { seq: f.seq, model: f.timeline, drawn };
    // What was drawn next to the pool's counters, for the last frames (tests compare them).
    demo.timelineLog.push({ seq: f.seq, warm: f.timeline.warm, drawn, counters: f.timeline.counters });
    if (demo.timelineLog.length > 100) demo.timelineLog.shift();
  }
  $('timing').textContent =
    `frame #${f.seq} ${f.srcRect.join(',')} -> ${f.width}x${f.height} ${f.filter}: ` +
    `serial ${ms(f.serialMs)} ms, pooled ${ms(f.pooledMs)} ms; input->draw ${f.inputT ? ms(latency) : '-'} ms; ` +
    `moves ${f.movesReceived}, coalesced ${f.movesCoalesced}`;
}
function showStats(s) {
  demo.stats = s;
  $('stats').textContent = `pool ${s.warm ? 'WARM' : 'cool'}: ${s.workers} workers (ready ${s.ready}); ` +
    `items caller ${s.items_caller} / workers ${s.items_workers}; jobs parallel ${s.jobs_parallel} / serial ` +
    `${s.jobs_serial}; warm_on ${s.warm_on}, cooldowns ${s.cooldowns}, futex wakes ${s.futex_wakes}`;
}

function onMessage(e) {
  const m = e.data;
  switch (m.type) {
    case 'ready':
      demo.ready = true;
      demo.runtime = m.runtime;
      $('runtime').textContent = `${m.runtime.name}, Python ${m.runtime.python}: ` +
        `${m.runtime.poolThreads} pool threads + the caller; package: ${m.runtime.package}; ` +
        `loaded in ${(m.runtime.bootMs / 1000).toFixed(1)} s.`;
      $('runtime').title = `${m.runtime.why}. ctypes.CDLL("${m.runtime.lib}")`;
      $('save-trace').disabled = !m.runtime.trace;
      $('bench').disabled = false;
      break;
    case 'frame':
      demo.framesReceived++;
      demo.receivedSeq = m.seq;
      history.push({ serialMs: m.serialMs, pooledMs: m.pooledMs });
      if (history.length > CHART_FRAMES) history.shift();
      if (!pending) requestAnimationFrame(draw);
      pending = m;
      if (m.stats) showStats(m.stats);
      if (m.slowest) {
        demo.slowest = m.slowest;
        $('trace-info').textContent = `slowest: #${m.slowest.seq}, ${m.slowest.ms.toFixed(2)} ms`;
      }
      break;
    case 'stats':
      showStats(m.stats);
      break;
    case 'probe':
      demo.probe = m.probe;
      break;
    case 'trace': {
      const blob = new Blob([m.bytes], { type: 'application/json' });
      if (demo.trace) URL.revokeObjectURL(demo.trace.url);
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = m.name;
      document.body.appendChild(a);
      a.click();
      a.remove();
      // Kept until the next save, so that it can be read back (tests do).
      demo.trace = { name: m.name, size: m.bytes.byteLength, seq: m.seq, url: a.href };
      $('trace-info').textContent = `saved ${m.name} (${m.bytes.byteLength} bytes, frame #${m.seq})`;
      break;
    }
    case 'bench': {
      const r = m.result;
      demo.bench = r;
      $('bench').disabled = false;
      $('bench-info').textContent = `${r.size} area, median of ${r.runs}: serial ${r.serialMs.toFixed(2)} ms, ` +
        `pooled ${r.pooledMs.toFixed(2)} ms (x${(r.serialMs / r.pooledMs).toFixed(2)}), ` +
        `pooled while warm ${r.pooledWarmMs.toFixed(2)} ms (x${(r.serialMs / r.pooledWarmMs).toFixed(2)})`;
      showStats(r.stats);
      break;
    }
    case 'status':
      $('runtime').textContent = m.text;
      break;
    case 'error':
      fail(m.message);
      break;
    default:
      fail(`unknown message from the worker: ${m.type}`);
  }
}
