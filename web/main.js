'use strict';
// Main thread: collects input, forwards it to the worker, draws the frames that come back.
// It never runs Python and never waits for the worker, so input stays responsive however
// long a frame takes. State for tests and curious users: window.warmpoolDemo.
(() => {
  const $ = (id) => document.getElementById(id);
  const canvas = $('view');
  const ctx = canvas.getContext('2d');
  const params = new URLSearchParams(location.search);
  const mode = params.get('mode') === 'threaded' ? 'threaded' : 'serial';
  const demo = (window.warmpoolDemo = {
    mode, ready: false, runtime: null, framesReceived: 0, framesDrawn: 0, receivedSeq: 0, lastFrame: null,
    slowest: null, stats: null, errors: [], trace: null, posted: 0, frameLog: [],
  });

  const isolated = self.crossOriginIsolated === true;
  const sab = typeof SharedArrayBuffer === 'function';
  $('isolation').textContent =
    `crossOriginIsolated: ${isolated}, SharedArrayBuffer: ${sab ? 'yes' : 'no'}, ` +
    `${navigator.hardwareConcurrency} logical cores. ` +
    (isolated && sab
      ? 'Wasm threads are possible here (the runtime must be built with pthreads too).'
      : 'Wasm threads are impossible: the page needs COOP same-origin + COEP require-corp.');

  function fail(msg) {
    demo.errors.push(String(msg));
    $('error').textContent = demo.errors.join('\n');
    console.error(`warmpool demo: ${msg}`);
  }

  const worker = new Worker('worker.js', { name: `warmpool-python-${mode}` });
  // A blocked worker script (e.g. no COEP) fires 'error' without a message.
  worker.onerror = (e) => { e.preventDefault(); fail(`worker error: ${e.message || 'script blocked or failed to load'}`); };
  worker.onmessageerror = () => fail('worker sent a message that could not be read');
  const post = (msg, transfer) => { demo.posted++; worker.postMessage(msg, transfer || []); };
  // ?slowFrameMs=N makes every frame N ms longer (a busy wait in the worker), to watch
  // moves being coalesced; ?break=memfs-only|no-main-url (threaded mode) leaves out one of
  // the two workarounds the threaded runtime needs in a Web Worker, to show the failure.
  post({ type: 'init', mode, isolated, cores: navigator.hardwareConcurrency, width: canvas.width, height: canvas.height,
         base: new URL('.', location.href).href, slowFrameMs: Number(params.get('slowFrameMs')) || 0,
         breakWith: params.get('break') || '' });

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

  // Only the newest frame is drawn, once per display frame.
  let pending = null;
  const recent = { serial: [], pooled: [] }; // the last 30 frames, for medians
  const median = (a) => { const b = [...a].sort((x, y) => x - y); return b.length ? b[b.length >> 1] : null; };
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
    const ms = (x) => (x == null ? '-' : x.toFixed(2));
    for (const k of ['serial', 'pooled']) {
      recent[k].push(f[`${k}Ms`]);
      if (recent[k].length > 30) recent[k].shift();
    }
    const ms1 = median(recent.serial), ms2 = median(recent.pooled);
    demo.medianMs = { serial: ms1, pooled: ms2, frames: recent.serial.length };
    $('timing').textContent =
      `frame #${f.seq} ${f.srcRect.join(',')} -> ${f.width}x${f.height} (${f.filter}): ` +
      `serial ${ms(f.serialMs)} ms, pooled ${ms(f.pooledMs)} ms` +
      `; median of the last ${recent.serial.length}: serial ${ms(ms1)} ms, pooled ${ms(ms2)} ms` +
      (ms1 && ms2 ? ` (x${(ms1 / ms2).toFixed(2)})` : '') +
      `; input->draw ${f.inputT ? ms(latency) : '-'} ms; moves ${f.movesReceived}, coalesced ${f.movesCoalesced}`;
  }
  function showStats(s) {
    demo.stats = s;
    $('stats').textContent = `pool: ${s.warm ? 'WARM' : 'cool'}, workers ${s.workers} (ready ${s.ready}), ` +
      `warm_on ${s.warm_on}, cooldowns ${s.cooldowns}, jobs parallel ${s.jobs_parallel} / serial ` +
      `${s.jobs_serial}, items caller ${s.items_caller} / workers ${s.items_workers}, futex wakes ${s.futex_wakes}`;
  }

  worker.onmessage = (e) => {
    const m = e.data;
    switch (m.type) {
      case 'ready':
        demo.ready = true;
        demo.runtime = m.runtime;
        $('runtime').textContent = `runtime: ${m.runtime.name} (Python ${m.runtime.python}), ` +
          `pool threads: ${m.runtime.poolThreads} + the caller; ${m.runtime.why}. ` +
          `ctypes.CDLL("${m.runtime.lib}"). ` +
          `Loaded in ${(m.runtime.bootMs / 1000).toFixed(1)} s.`;
        $('save-trace').disabled = !m.runtime.trace;
        $('bench').disabled = false;
        break;
      case 'frame':
        demo.framesReceived++;
        demo.receivedSeq = m.seq;
        if (!pending) requestAnimationFrame(draw);
        pending = m;
        if (m.stats) showStats(m.stats);
        if (m.slowest) {
          demo.slowest = m.slowest;
          $('trace-info').textContent = `slowest frame so far: #${m.slowest.seq}, ${m.slowest.ms.toFixed(2)} ms`;
        }
        break;
      case 'stats':
        showStats(m.stats);
        break;
      case 'trace': {
        const blob = new Blob([m.bytes], { type: 'application/json' });
        const a = document.createElement('a');
        a.href = URL.createObjectURL(blob);
        a.download = m.name;
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(a.href), 10000);
        demo.trace = { name: m.name, size: m.bytes.byteLength, seq: m.seq };
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
  };
})();
