// The Web Worker (a module worker: `new Worker(url, {type: "module"})`): hosts Python, which owns the pool and renders frames. Input arrives as
// messages; moves are coalesced here (only the newest one is rendered), so a slow frame
// delays the next one but never queues up stale work, and the main thread never waits.
//
// A runtime adapter (runtimes.js) hides which Python this is: { name, why, poolWorkers,
// scenePath, scene, call(method, args) -> object, pixels() -> Uint8Array (a copy of the
// BGRA surface), readFile(path) -> Uint8Array, settle()? }. call() passes JSON both ways,
// so the same web/demo.py drives stock Pyodide and a threaded CPython-on-Wasm that has no
// JS<->Python proxies.
import * as runtimes from './runtimes.js';
import { engineFacts } from './facts.js';

let rt = null;
let base = '';
let slowFrameMs = 0;
const inbox = { move: null, wheel: null, scheduled: false, received: 0, coalesced: 0 };

function post(msg, transfer) { self.postMessage(msg, transfer || []); }
function fail(err) {
  const message = err && err.stack ? `${err.message}\n${err.stack}` : String(err);
  post({ type: 'error', message });
}

self.onmessage = (e) => {
  try { handle(e.data); } catch (err) { fail(err); }
};

function handle(m) {
  if (m.type === 'init') {
    base = m.base;
    slowFrameMs = m.slowFrameMs;
    boot(m).catch(fail);
    return;
  }
  if (!rt) return; // input before Python is up is dropped; the first frame shows the start view
  switch (m.type) {
    case 'down':
      // Warm the pool right away: the wake-up cost is paid now, not by the first move.
      post({ type: 'stats', stats: rt.call('down', { x: m.x, y: m.y }) });
      break;
    case 'move':
      inbox.received++;
      if (inbox.move) inbox.coalesced++;
      inbox.move = m;
      schedule();
      break;
    case 'wheel':
      if (inbox.wheel) { inbox.wheel.dy += m.dy; inbox.wheel.x = m.x; inbox.wheel.y = m.y; inbox.wheel.t = m.t; }
      else inbox.wheel = { ...m };
      schedule();
      break;
    case 'up':
      if (inbox.move || inbox.wheel) tick(); // draw where the pointer was released
      post({ type: 'stats', stats: rt.call('up', {}) });
      break;
    case 'probe':
      // Where Python runs, answered by the worker itself (tests read it on any engine).
      post({ type: 'probe', probe: {
        scope: self.constructor.name,
        isWorker: typeof WorkerGlobalScope === 'function' && self instanceof WorkerGlobalScope,
        // A module worker has importScripts, and it throws TypeError.
        moduleWorker: (() => { try { importScripts('data:text/javascript,'); return false; } catch (e) { return e instanceof TypeError; } })(),
        python: rt.call('python', {}),
        runtime: rt.key,
        ...engineFacts(),
      } });
      break;
    case 'bench':
      post({ type: 'bench', result: rt.call('bench', { runs: m.runs || 30 }) });
      break;
    case 'save-trace': {
      const r = rt.call('save_trace', {});
      if (r.error) { fail(`trace: ${r.error}`); break; }
      const bytes = rt.readFile(r.path);
      post({ type: 'trace', name: r.name, seq: r.seq, bytes: bytes.buffer }, [bytes.buffer]);
      break;
    }
    default:
      fail(`unknown message from the page: ${m.type}`);
  }
}

function schedule() {
  if (inbox.scheduled) return;
  inbox.scheduled = true;
  // Messages that arrived while a frame was rendering are handled before this runs, so
  // they collapse into inbox.move instead of each costing a frame.
  setTimeout(() => { inbox.scheduled = false; try { tick(); } catch (err) { fail(err); } }, 0);
}

function tick() {
  const mv = inbox.move;
  const wh = inbox.wheel;
  inbox.move = inbox.wheel = null;
  let inputT = 0;
  if (mv) { rt.call('move', { x: mv.x, y: mv.y }); inputT = mv.t; }
  if (wh) { rt.call('wheel', { x: wh.x, y: wh.y, dy: wh.dy }); inputT = Math.max(inputT, wh.t); }
  if (mv || wh) frame(inputT);
}

function frame(inputT) {
  const meta = rt.call('render', {});
  for (const end = performance.now() + slowFrameMs; performance.now() < end;);
  const px = rt.pixels(); // a copy of the BGRA surface, ours to transfer
  bgraToRgba(px);
  post({ type: 'frame', ...meta, inputT, movesReceived: inbox.received, movesCoalesced: inbox.coalesced,
         rgba: px.buffer }, [px.buffer]);
}

// The surface is BGRA in memory (a 32-bit pygame surface); the canvas wants RGBA. Opaque.
function bgraToRgba(u8) {
  const u32 = new Uint32Array(u8.buffer, u8.byteOffset, u8.byteLength >> 2);
  for (let i = 0; i < u32.length; i++) {
    const v = u32[i]; // little endian: 0xAARRGGBB
    u32[i] = 0xff000000 | ((v & 0xff) << 16) | (v & 0xff00) | ((v >>> 16) & 0xff);
  }
}

async function boot(m) {
  const t0 = performance.now();
  const status = (text) => post({ type: 'status', text });
  const make = m.mode === 'threaded' ? runtimes.threaded : runtimes.pyodide;
  rt = null;
  const manifest = await runtimes.manifest(base);
  const r = await make({ base, status, isolated: m.isolated, cores: m.cores, breakWith: m.breakWith,
    manifest, version: m.pyodide });
  const info = r.call('init', { scene: r.scenePath, sceneWidth: r.scene.width, sceneHeight: r.scene.height,
    width: m.width, height: m.height, workers: r.poolWorkers });
  if (r.settle) await r.settle();
  rt = r;
  post({ type: 'ready', runtime: { name: r.name, key: r.key, package: r.package, python: info.python,
    poolThreads: info.workers, why: r.why, trace: info.trace, bootMs: performance.now() - t0, lib: info.lib } });
  frame(0);
}
