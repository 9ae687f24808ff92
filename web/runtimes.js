'use strict';
// Python runtimes the worker can host. Each returns the adapter described in worker.js.
// Everything is fetched from our own server (build/web/ at /build/): no CDN.
self.warmpoolRuntimes = (() => {
  const SCENE = { url: 'build/scene.bgra', width: 1280, height: 960 };

  async function fetchBytes(url) {
    const r = await fetch(url);
    if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
    return new Uint8Array(await r.arrayBuffer());
  }

  // demo.call() reports Python exceptions as {error, traceback}; here they become JS errors.
  function checked(method, json) {
    const r = JSON.parse(json);
    if (r && r.error) throw new Error(`Python ${method}(): ${r.error}\n${r.traceback || ''}`);
    return r;
  }

  // Stock Pyodide 0.29.5 from npm: no pthreads, so the serial side module, whose pools
  // have zero workers and run every job on the caller.
  async function pyodide({ base, status }) {
    status('loading Pyodide 0.29.5 (stock, from node_modules)…');
    importScripts(`${base}build/pyodide/pyodide.js`);
    const py = await self.loadPyodide({ indexURL: `${base}build/pyodide/` });
    status('loading the warmpool package, the serial side module and the picture…');
    const [pkg, lib, scene, demo] = await Promise.all([
      fetchBytes(`${base}build/warmpool-py.zip`),
      fetchBytes(`${base}build/wasm/libwarmpool-serial.so`),
      fetchBytes(`${base}${SCENE.url}`),
      fetchBytes(`${base}demo.py`),
    ]);
    const home = '/home/pyodide';
    py.unpackArchive(pkg.buffer, 'zip', { extractDir: home });
    // Next to the package, where warmpool looks first; ctypes.CDLL loads it from there.
    py.FS.writeFile(`${home}/warmpool/libwarmpool-serial.so`, lib);
    py.FS.writeFile(`${home}/demo.py`, demo);
    py.FS.writeFile('/tmp/scene.bgra', scene);
    const call = py.runPython(`import sys\nsys.path.insert(0, ${JSON.stringify(home)})\nimport demo\ndemo.call`);
    const dst = { proxy: null };
    return {
      name: 'stock Pyodide 0.29.5 (no pthreads)',
      why: 'stock Pyodide is built without pthreads, so ctypes loads the serial side module ' +
           'and pooled jobs run on the calling thread',
      poolWorkers: 0,
      scenePath: '/tmp/scene.bgra',
      scene: SCENE,
      call(method, args) { return checked(method, call(method, JSON.stringify(args))); },
      pixels() {
        dst.proxy = dst.proxy || py.runPython('demo.app.dst');
        const buf = dst.proxy.getBuffer('u8');
        try { return buf.data.slice(); } finally { buf.release(); }
      },
      readFile(path) { return py.FS.readFile(path); },
    };
  }

  async function threaded() {
    throw new Error('threaded runtime: not available yet');
  }

  return { pyodide, threaded, SCENE };
})();
