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

  // Threaded CPython 3.11 on Wasm (pyodide-patches/wasm-python, adapted for the browser by
  // pyodide-patches/browser/threaded_runtime.py): real pthreads, so the threaded side module and a pool
  // with workers. It has no JS<->Python bridge, so we drive the C API: PyRun_StringFlags
  // with Py_eval_input returns the JSON string that demo.call() produced.
  async function threaded({ base, status, isolated, cores, breakWith }) {
    if (!isolated || typeof SharedArrayBuffer !== 'function') {
      throw new Error('threaded mode needs a cross-origin isolated page: no SharedArrayBuffer here');
    }
    const dir = `${base}build/threaded/`;
    status('loading the threaded CPython 3.11 for Wasm, its stdlib and the threaded side module…');
    const libUrl = new URL(`${base}build/wasm/libwarmpool.so`);
    const [stdlib, pkg, lib, scene, demo] = await Promise.all([
      fetchBytes(`${dir}python311.zip`),
      fetchBytes(`${base}build/warmpool-py.zip`),
      fetchBytes(libUrl.href),
      fetchBytes(`${base}${SCENE.url}`),
      fetchBytes(`${base}demo.py`),
    ]);
    const stderr = [];
    const M = {
      noInitialRun: true,
      // pthread workers importScripts() the runtime, and a runtime loaded into a worker
      // takes the worker's own script (worker.js) for itself: tell it. (?break=no-main-url
      // leaves this out, to show what goes wrong.)
      mainScriptUrlOrBlob: breakWith === 'no-main-url' ? undefined : `${dir}python.js`,
      locateFile: (p) => dir + p,
      print: (s) => console.log(s),
      printErr: (s) => { stderr.push(s); if (stderr.length > 200) stderr.shift(); },
    };
    self.Module = M;
    await new Promise((resolve, reject) => {
      M.onRuntimeInitialized = resolve;
      M.onAbort = (what) => reject(new Error(`python.js aborted: ${what}`));
      importScripts(`${dir}python.js`);
    });
    // CPython's glue is a classic script: its FS and heap views are globals of this worker
    // (the Node target exports neither on Module).
    const fs = M.FS || self.FS;
    if (!fs || !fs.writeFile) throw new Error('python.js: no FS object reachable');
    const FS = {
      mkdir: (path) => fs.mkdirTree(path),
      write: (path, bytes) => fs.writeFile(path, bytes),
    };
    // A fresh view whenever memory grew (possibly on another thread).
    let view = new Uint8Array(0);
    const heap = () => {
      const mem = (M.wasmMemory || self.wasmMemory || {}).buffer || (M.HEAPU8 || self.HEAPU8).buffer;
      if (view.buffer !== mem || view.length !== mem.byteLength) view = new Uint8Array(mem);
      return view;
    };
    const enc = new TextEncoder();
    const dec = new TextDecoder();
    const cstr = (str) => {
      const b = enc.encode(`${str}\0`);
      const p = M._malloc(b.length);
      heap().set(b, p);
      return p;
    };
    const readCStr = (p) => {
      const h = heap();
      let e = p;
      while (h[e]) e++;
      return dec.decode(h.slice(p, e)); // a copy: TextDecoder refuses shared memory
    };
    const fail = (what) => new Error(`${what}\n${stderr.splice(0).join('\n')}`);

    FS.mkdir('/usr/local/lib');
    FS.write('/usr/local/lib/python311.zip', stdlib); // on sys.path by default; stored, no zlib
    FS.mkdir('/home/app');
    FS.write('/home/app/demo.py', demo);
    FS.write('/tmp/warmpool-py.zip', pkg);
    FS.write('/tmp/scene.bgra', scene);
    // The library's path in MEMFS is also its URL on our server. Each pthread worker has
    // its own (empty) MEMFS, so when it replays the dlopen it misses the file and falls
    // back to a synchronous XHR of the same path, which the server answers.
    // ?break=memfs-only puts it where no URL points, to show the failure this avoids.
    const libPath = breakWith === 'memfs-only' ? '/memfs-only/libwarmpool.so' : libUrl.pathname;
    FS.mkdir(libPath.slice(0, libPath.lastIndexOf('/')));
    FS.write(libPath, lib);
    for (const [k, v] of [['PYTHONHOME', '/usr/local'], ['PYTHONDONTWRITEBYTECODE', '1'],
      ['WARMPOOL_LIB', libPath]]) M._setenv(cstr(k), cstr(v), 1);

    status('starting CPython…');
    M._Py_InitializeEx(0);
    if (!M._Py_IsInitialized()) throw fail('Py_InitializeEx failed');
    const globals = M._PyModule_GetDict(M._PyImport_AddModule(cstr('__main__')));
    const exec = (code) => {
      const c = cstr(code);
      const r = M._PyRun_SimpleString(c);
      M._free(c);
      if (r !== 0) throw fail('Python raised');
    };
    const evalStr = (expr) => {
      const c = cstr(expr);
      const r = M._PyRun_StringFlags(c, 258 /* Py_eval_input */, globals, globals, 0);
      M._free(c);
      if (!r) { M._PyErr_Print(); throw fail(`Python raised in ${expr.slice(0, 80)}`); }
      const s = M._PyUnicode_AsUTF8(r);
      const out = s ? readCStr(s) : null;
      M._Py_DecRef(r);
      if (out === null) throw fail(`${expr.slice(0, 80)} did not return a str`);
      return out;
    };
    exec('import sys, zipfile\nzipfile.ZipFile("/tmp/warmpool-py.zip").extractall("/home/app")\n' +
         'sys.path.insert(0, "/home/app")\nimport demo');
    let dst = null;
    const py = {
      name: 'threaded CPython 3.11 on Wasm (pyodide-patches/wasm-python, Emscripten pthreads)',
      why: 'this CPython is built with --enable-wasm-pthreads and the page is cross-origin ' +
           'isolated, so ctypes loads the -pthread side module and the pool runs Web Worker threads',
      poolWorkers: Math.max(1, Math.min(7, (cores || 2) - 1)),
      scenePath: '/tmp/scene.bgra',
      scene: SCENE,
      call(method, args) {
        return checked(method, evalStr(`demo.call(${JSON.stringify(method)}, ${JSON.stringify(JSON.stringify(args))})`));
      },
      pixels() {
        dst = dst || py.call('buffer_info', {});
        return heap().slice(dst.address, dst.address + dst.size);
      },
      readFile(path) { return enc.encode(evalStr(`open(${JSON.stringify(path)}).read()`)); },
      // Pool workers start only once this worker's event loop turns: wait for them here.
      async settle(timeoutMs = 20000) {
        const t0 = performance.now();
        for (;;) {
          const r = py.call('ready', {});
          if (r.ready >= r.workers) return r;
          if (performance.now() - t0 > timeoutMs) throw new Error(`pool workers not ready after ${timeoutMs} ms: ${JSON.stringify(r)}`);
          await new Promise((res) => setTimeout(res, 20));
        }
      },
    };
    return py;
  }

  return { pyodide, threaded, SCENE };
})();
