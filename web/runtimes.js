// Python runtimes the worker can host (an ES module, imported by the module worker). Each
// returns the adapter described in worker.js. Everything comes from our own server
// (build/web/ at /build/, described by build/web/manifest.json): no CDN.
export const SCENE = { url: 'build/scene.bgra', width: 1280, height: 960 };

async function fetchBytes(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

export async function manifest(base) {
  const r = await fetch(`${base}build/manifest.json`);
  if (!r.ok) throw new Error(`build/manifest.json: HTTP ${r.status} (run make web)`);
  return r.json();
}

// demo.call() reports Python exceptions as {error, traceback}; here they become JS errors.
function checked(method, json) {
  const r = JSON.parse(json);
  if (r && r.error) throw new Error(`Python ${method}(): ${r.error}\n${r.traceback || ''}`);
  return r;
}

// How the warmpool package gets into a runtime: the manifest's {kind, url}. "zip" is our
// stored zip of the package directory; "wheel" is the wheel `make wheels` builds. Both
// runtimes end up with the package importable from `site` and say where the library is.
const installers = {
  // Stock Pyodide: the zip is unpacked and the serial library written next to the
  // package (where warmpool looks first); a wheel carries the library and Pyodide's own
  // installer puts it there (and dlopens it).
  async pyodide(py, pkg, base, site) {
    if (pkg.kind === 'wheel') {
      const log = [];
      const done = await py.loadPackage(`${base}build/${pkg.url}`,
        { messageCallback: () => {}, errorCallback: (m) => log.push(m) });
      // loadPackage logs its failures and resolves anyway: an empty list means nothing
      // was installed.
      if (!Array.isArray(done) || !done.some((p) => p.name === 'warmpool')) {
        throw new Error(`pyodide.loadPackage(${pkg.url}) installed ${JSON.stringify(done)}: ${log.join('\n')}`);
      }
      return { site: null };
    }
    const [zip, lib] = await Promise.all([fetchBytes(`${base}build/${pkg.url}`),
      fetchBytes(`${base}build/wasm/libwarmpool-serial.so`)]);
    py.unpackArchive(zip.buffer, 'zip', { extractDir: site });
    py.FS.writeFile(`${site}/warmpool/libwarmpool-serial.so`, lib);
    return { site };
  },
  // The threaded CPython has no installer and no zlib: zips and (stored) wheels alike are
  // extracted with zipfile, all but the libraries. A library there would exist only in
  // this worker's MEMFS, which the runtime's pthread workers cannot read (they fetch the
  // path by URL): the package then uses the served one (WARMPOOL_LIB below).
  threaded(exec, pkgPath, site) {
    exec(`import zipfile\nz = zipfile.ZipFile(${JSON.stringify(pkgPath)})\n` +
      `z.extractall(${JSON.stringify(site)}, [n for n in z.namelist() if not n.endswith(".so")])`);
  },
};

// Stock Pyodide from npm (manifest key, e.g. "314"): no pthreads, so the serial side
// module, whose pools have zero workers and run every job on the caller. A module worker
// imports pyodide.mjs (314 refuses classic workers).
export async function pyodide({ base, status, manifest: mf, version }) {
  const key = version || mf.defaultPyodide;
  const entry = mf.pyodide[key];
  if (!entry) throw new Error(`no Pyodide "${key}" here; built: ${Object.keys(mf.pyodide).join(', ')}`);
  const dir = `${base}build/${entry.dir}`;
  status(`loading Pyodide ${entry.version} (stock, from node_modules)…`);
  const { loadPyodide } = await import(`${dir}pyodide.mjs`);
  const py = await loadPyodide({ indexURL: dir });
  if (py.version !== entry.version) throw new Error(`${dir}: Pyodide ${py.version}, the manifest says ${entry.version}`);
  status('loading the warmpool package, the serial side module and the picture…');
  const home = '/home/pyodide';
  const pkg = mf.package.pyodide;
  const [{ site }, scene, demo] = await Promise.all([
    installers.pyodide(py, pkg, base, home),
    fetchBytes(`${base}${SCENE.url}`),
    fetchBytes(`${base}demo.py`),
  ]);
  py.FS.writeFile(`${home}/demo.py`, demo);
  py.FS.writeFile('/tmp/scene.bgra', scene);
  const call = py.runPython(`import sys\nsys.path.insert(0, ${JSON.stringify(home)})\n` +
    (site && site !== home ? `sys.path.insert(0, ${JSON.stringify(site)})\n` : '') + 'import demo\ndemo.call');
  const dst = { proxy: null };
  return {
    name: `stock Pyodide ${py.version} (no pthreads)`,
    why: 'stock Pyodide is built without pthreads, so ctypes loads the serial side module ' +
         'and pooled jobs run on the calling thread',
    key,
    package: `${pkg.kind} ${pkg.url}`,
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

// Loads Emscripten 3.1.6 classic glue into this module worker: a module worker has no
// working importScripts (it exists and throws TypeError), so the script is fetched and
// evaluated at global scope, as importScripts would have done. The glue's `var`s (Module,
// FS, wasmMemory...) become globals of the worker, and sourceURL keeps stack traces
// pointing at python.js.
async function evalClassicScript(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  const text = await r.text();
  (0, eval)(`${text}\n//# sourceURL=${url}`);
}

// Threaded CPython 3.11 on Wasm (pyodide-patches/wasm-python, adapted for the browser by
// pyodide-patches/browser/threaded_runtime.py): real pthreads, so the threaded side module and a pool
// with workers. It has no JS<->Python bridge, so we drive the C API: PyRun_StringFlags
// with Py_eval_input returns the JSON string that demo.call() produced.
export async function threaded({ base, status, isolated, cores, breakWith, manifest: mf }) {
  if (!isolated || typeof SharedArrayBuffer !== 'function') {
    throw new Error('threaded mode needs a cross-origin isolated page: no SharedArrayBuffer here');
  }
  const dir = `${base}build/threaded/`;
  status('loading the threaded CPython 3.11 for Wasm, its stdlib and the threaded side module…');
  const libUrl = new URL(`${base}build/wasm/libwarmpool.so`);
  const pkg = mf.package.threaded;
  const [stdlib, pkgBytes, lib, scene, demo] = await Promise.all([
    fetchBytes(`${dir}python311.zip`),
    fetchBytes(`${base}build/${pkg.url}`),
    fetchBytes(libUrl.href),
    fetchBytes(`${base}${SCENE.url}`),
    fetchBytes(`${base}demo.py`),
  ]);
  const stderr = [];
  const M = {
    noInitialRun: true,
    // pthread workers importScripts() the runtime, and a runtime evaluated inside a
    // worker takes the worker's own script (worker.js, a module) for itself: tell it.
    // (?break=no-main-url leaves this out, to show what goes wrong.)
    mainScriptUrlOrBlob: breakWith === 'no-main-url' ? undefined : `${dir}python.js`,
    locateFile: (p) => dir + p,
    print: (s) => console.log(s),
    printErr: (s) => { stderr.push(s); if (stderr.length > 200) stderr.shift(); },
  };
  self.Module = M;
  const started = new Promise((resolve, reject) => {
    M.onRuntimeInitialized = resolve;
    M.onAbort = (what) => reject(new Error(`python.js aborted: ${what}`));
  });
  await evalClassicScript(`${dir}python.js`);
  await started;
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
  const pkgPath = `/tmp/${pkg.url.split('/').pop()}`;
  FS.write(pkgPath, pkgBytes);
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
  installers.threaded(exec, pkgPath, '/home/app');
  exec('import sys\nsys.path.insert(0, "/home/app")\nimport demo');
  let dst = null;
  const py = {
    name: 'threaded CPython 3.11 on Wasm (pyodide-patches/wasm-python, Emscripten pthreads)',
    why: 'this CPython is built with --enable-wasm-pthreads and the page is cross-origin ' +
         'isolated, so ctypes loads the -pthread side module and the pool runs Web Worker threads',
    key: 'threaded',
    package: `${pkg.kind} ${pkg.url}`,
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
