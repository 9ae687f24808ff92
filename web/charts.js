// The page's two pictures, drawn on canvases from data only (no DOM, no state):
// drawChart: per-frame time, serial vs pooled, the last frames;
// drawTimeline: one pooled run from the pool's own trace events (demo.py lanes()), one lane
// per pool thread, a bar per chunk, each worker's wake-up latency, warm or cold.
// Each returns what it drew, so that a test can check the pictures against the pool's
// counters (window.warmpoolDemo.chart / .timeline).
export const COLORS = { serial: '#d9822b', pooled: '#2b7bd9', caller: '#2b7bd9', worker: '#3fa34d',
  serialJob: '#d9822b', wake: '#c62828', grid: '#ddd', text: '#333', warm: '#c62828', cool: '#1565c0' };

function setup(canvas) {
  const ctx = canvas.getContext('2d');
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.font = '11px ui-monospace, monospace';
  ctx.textBaseline = 'middle';
  return ctx;
}

const median = (a) => { const b = a.filter((x) => x != null).sort((x, y) => x - y); return b.length ? b[b.length >> 1] : null; };

// frames: [{serialMs, pooledMs}, ...], oldest first; `capacity` frames fill the width.
export function drawChart(canvas, frames, capacity) {
  const ctx = setup(canvas);
  const W = canvas.width, H = canvas.height, L = 34, T = 16, B = 14;
  const values = frames.flatMap((f) => [f.serialMs, f.pooledMs]).filter((x) => x != null);
  // A round top near the 98th percentile, so that one stall does not flatten the rest.
  const sorted = [...values].sort((a, b) => a - b);
  const hi = sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.98))] : 1;
  const top = niceCeil(Math.max(hi, 0.1));
  const x = (i) => L + (W - L - 4) * (i + capacity - frames.length) / Math.max(1, capacity - 1);
  const y = (ms) => T + (H - T - B) * (1 - Math.min(ms, top) / top);
  ctx.strokeStyle = COLORS.grid;
  ctx.fillStyle = COLORS.text;
  ctx.lineWidth = 1;
  for (const f of [0, 0.5, 1]) {
    ctx.beginPath(); ctx.moveTo(L, y(top * f)); ctx.lineTo(W - 4, y(top * f)); ctx.stroke();
    ctx.fillText(`${+(top * f).toFixed(2)}`, 2, y(top * f));
  }
  ctx.fillText('ms', 2, 6);
  const drawn = {};
  for (const k of ['serial', 'pooled']) {
    ctx.strokeStyle = COLORS[k];
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    let points = 0;
    frames.forEach((f, i) => {
      const v = f[`${k}Ms`];
      if (v == null) return;
      if (points++) ctx.lineTo(x(i), y(v)); else ctx.moveTo(x(i), y(v));
    });
    ctx.stroke();
    drawn[k] = { points, medianMs: median(frames.map((f) => f[`${k}Ms`])) };
  }
  ctx.textAlign = 'right';
  let at = W - 6;
  for (const k of ['pooled', 'serial']) {
    const label = `${k} ${drawn[k].medianMs == null ? '-' : drawn[k].medianMs.toFixed(2)} ms`;
    ctx.fillStyle = COLORS[k];
    ctx.fillText(label, at, 7);
    at -= ctx.measureText(label).width + 14;
  }
  ctx.textAlign = 'left';
  ctx.fillStyle = COLORS.text;
  ctx.fillText(`per-frame time, last ${frames.length} frames (median)`, L, H - 6);
  return { frames: frames.length, top, ...drawn };
}

function niceCeil(v) {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

// model: demo.py lanes() plus {warm, counters}; times in microseconds.
export function drawTimeline(canvas, model, title) {
  const lanes = model.lanes;
  const LANE = 26, T = 16, L = 64, R = 6;
  const want = T + LANE * lanes.length + 28;
  if (canvas.height !== want) canvas.height = want;
  const ctx = setup(canvas);
  const W = canvas.width;
  // From just before the first pool event: the Python before it (argument checks, the
  // ctypes call) is said in numbers, not drawn.
  const starts = [...model.jobs.map((j) => j[0]), ...lanes.flatMap((l) => [...l.chunks.map((c) => c[0]),
    ...l.serial.map((c) => c[0])])];
  const first = starts.length ? Math.min(...starts) : 0;
  const from = Math.max(0, first - 0.04 * (model.t1 - first));
  const span = Math.max(model.t1 - from, 1);
  const x = (us) => L + (W - L - R) * Math.max(0, Math.min(us - from, span)) / span;
  ctx.fillStyle = COLORS.text;
  ctx.fillText(title, 2, 7);
  ctx.textAlign = 'right';
  ctx.fillStyle = model.warm ? COLORS.warm : COLORS.cool;
  ctx.fillText(model.warm ? 'pool WARM: workers spin' : 'pool cool: workers sleep', W - R, 7);
  ctx.textAlign = 'left';
  // Jobs: the span from publishing to the caller's return, behind the lanes.
  ctx.fillStyle = 'rgba(0,0,0,0.05)';
  for (const [b, e] of model.jobs) ctx.fillRect(x(b), T, Math.max(1, x(e ?? span) - x(b)), LANE * lanes.length);
  const drawn = [];
  lanes.forEach((lane, i) => {
    const y0 = T + i * LANE;
    ctx.fillStyle = COLORS.text;
    ctx.fillText(lane.name, 2, y0 + LANE / 2);
    ctx.strokeStyle = COLORS.grid;
    ctx.beginPath(); ctx.moveTo(L, y0 + LANE - 0.5); ctx.lineTo(W - R, y0 + LANE - 0.5); ctx.stroke();
    const d = { thread: lane.thread, bars: 0, items: 0, serialJobs: 0, serialItems: 0, wakes: 0, joinedWakes: 0, warmWakes: 0, coldWakes: 0,
      minLatencyUs: null };
    ctx.fillStyle = lane.thread ? COLORS.worker : COLORS.caller;
    for (const [b, e, items] of lane.chunks) {
      // At least 1 px, and a gap between neighbours so that every chunk stays countable.
      const x0 = x(b), w = Math.max(1, x(e) - x0 - 1);
      ctx.fillRect(x0, y0 + 11, w, LANE - 14);
      d.bars++; d.items += items;
    }
    for (const [at, items] of lane.serial) {
      // A serial job is one instant event (no end): a tick, labelled.
      ctx.fillStyle = COLORS.serialJob;
      ctx.fillRect(x(at), y0 + 9, 2, LANE - 11);
      d.serialJobs++; d.serialItems += items;
    }
    if (d.serialJobs) {
      ctx.fillStyle = COLORS.serialJob;
      ctx.fillText(`${d.serialJobs} serial job${d.serialJobs > 1 ? 's' : ''} (no workers)`, x(lane.serial[0][0]) + 6, y0 + 5);
    }
    for (const [at, latency, spun, joined] of lane.wakes) {
      // The wake-up latency: from the job's publication to this worker noticing it.
      ctx.strokeStyle = COLORS.wake;
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.moveTo(x(latency == null ? at : at - latency), y0 + 9);
      ctx.lineTo(x(at), y0 + 9);
      ctx.stroke();
      ctx.lineWidth = 1;
      ctx.fillStyle = spun ? COLORS.warm : COLORS.cool;
      ctx.fillText(`${spun ? 'warm' : 'cold'}${joined ? '' : ' late'} ${latency == null ? '' : `${latency.toFixed(0)} µs`}`,
        Math.min(x(at) + 3, W - R - 90), y0 + 4);
      d.wakes++;
      if (latency != null && (d.minLatencyUs == null || latency < d.minLatencyUs)) d.minLatencyUs = latency;
      if (joined) d.joinedWakes++;
      if (spun) d.warmWakes++; else d.coldWakes++;
    }
    drawn.push(d);
  });
  ctx.fillStyle = COLORS.text;
  const yb = T + LANE * lanes.length + 7;
  ctx.fillText(`${from.toFixed(0)} µs`, L, yb);
  ctx.textAlign = 'right';
  ctx.fillText(`${model.t1.toFixed(0)} µs`, W - R, yb);
  ctx.textAlign = 'left';
  ctx.fillText('bar: chunk · red: wake-up latency (warm: spun, cold: futex) · shade: job', 2, yb + 13);
  return { lanes: drawn, jobs: model.jobs.length, fromUs: from, toUs: model.t1 };
}
