// What differs between browser engines for this page, measured where it runs (the main
// thread and the worker each call it): the clock's step (performance.now() is coarsened,
// more when the page is not cross-origin isolated, and by a different amount per engine)
// and whether the thread may block in Atomics.wait (a dedicated worker may, the main
// thread may not).
export function engineFacts() {
  let step = Infinity, seen = 0, last = performance.now();
  for (let i = 0; i < 2e6 && seen < 50; i++) {
    const t = performance.now();
    if (t > last) { step = Math.min(step, t - last); last = t; seen++; }
  }
  let atomicsWait;
  try {
    atomicsWait = typeof SharedArrayBuffer === 'function'
      ? Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1) : 'no SharedArrayBuffer';
  } catch (e) {
    atomicsWait = `${e.name}: ${e.message}`;
  }
  return { timerStepMs: step, atomicsWait };
}
