// A -pthread program linked with -sNODERAWFS (tests/patches/programs/noderawfs.c, as the
// threaded CPython is) in headless Chromium: stock its glue throws there; adapted by
// pyodide-patches/browser/threaded_runtime.py it runs its thread and keeps MEMFS. Built by
// Debian's emcc 3.1.6 (build/wasm) or by 3.1.69 (WARMPOOL_WB=build/wasm-3.1.69); each
// test's name says which.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { BUILD, ROOT } from '../../pyodide-patches/host/host_api.mjs';
import { createServer, listen } from '../../web/server.mjs';
import { launch } from '../web/engines.mjs';

const EM69 = /wasm-3\.1\.69$/.test(BUILD);
const TC = EM69 ? '3.1.69' : '3.1.6';
const DIR = path.join(BUILD, 'programs', 'noderawfs');
const THROW = /throw\s*new\s*Error\(\s*"NODERAWFS is currently only supported on Node\.js environment\.?"\s*\)/;
const PAGE = `<!doctype html><meta charset="utf-8"><script>
var Module = { print: (t) => (window.wpOut = (window.wpOut || []).concat(t)),
               printErr: (t) => (window.wpOut = (window.wpOut || []).concat('err: ' + t)),
               onExit: (code) => { window.wpExit = code; } };
window.addEventListener('error', (e) => { window.wpError = String(e.message); });
</script><script src="noderawfs.js"></script>`;

// Served copies of the program: each its glue edited by `edit` (text -> text), with a page.
const SERVED = mkdtempSync(path.join(tmpdir(), 'wp-noderawfs-'));
function served(edit) {
  const d = mkdtempSync(path.join(SERVED, 'p-'));
  for (const f of readdirSync(DIR)) copyFileSync(path.join(DIR, f), path.join(d, f));
  if (edit) {
    const js = path.join(d, 'noderawfs.js'), text = readFileSync(js, 'utf8'), changed = edit(text);
    assert.notEqual(changed, text, 'the edit found nothing to change');
    writeFileSync(js, changed);
  }
  writeFileSync(path.join(d, 'index.html'), PAGE);
  return d;
}
// The glue through threaded_runtime.patch_glue (what the page's runtime gets).
function adapted(text) {
  const code = 'import sys; sys.path.insert(0, sys.argv[1]); import threaded_runtime as t; ' +
    'sys.stdout.write(t.patch_glue(sys.stdin.read()))';
  const r = spawnSync('/usr/bin/python3', ['-c', code, path.join(ROOT, 'pyodide-patches/browser')],
    { input: text, encoding: 'utf8', timeout: 60000, maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

let browser, server, base;
before(async () => {
  browser = await launch('chromium');
  server = createServer({ mounts: [{ prefix: '/', dir: SERVED }] });
  base = await listen(server, 0);
});
after(async () => {
  await browser?.close();
  server?.close();
});

// Loads the page and waits (with a deadline) for the program's exit or an error.
async function inBrowser(dir) {
  const page = await browser.newPage({ width: 400, height: 300 });
  try {
    await page.goto(`${base}${path.basename(dir)}/`, 20000);
    const r = await page.waitFor(() => (window.wpExit !== undefined || window.wpError) &&
      { exit: window.wpExit, error: window.wpError, out: (window.wpOut || []).join('\n'),
        isolated: self.crossOriginIsolated }, null, 20000);
    return { ...r, problems: page.problems.join('\n') };
  } finally {
    await page.close();
  }
}

test(`${TC}: the NODERAWFS program runs under Node, stock`, () => {
  const d = served();
  const r = spawnSync(process.execPath, ['--no-experimental-fetch', 'noderawfs.js'],
    { cwd: d, encoding: 'utf8', timeout: 30000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /noderawfs: 7/);
});
// 3.1.69's glue reaches Node's path module (library_nodepath.js) before its own guard.
const STOCK_ERROR = EM69 ? /reading 'posix'/ : /NODERAWFS is currently only supported on Node\.js/;
test(`${TC}: stock, its glue throws in a browser (${EM69 ? 'no path module' : 'its NODERAWFS guard'})`, async () => {
  assert.match(readFileSync(path.join(DIR, 'noderawfs.js'), 'utf8'), THROW);
  const r = await inBrowser(served());
  assert.equal(r.isolated, true, 'the page must be cross-origin isolated (threads)');
  assert.equal(r.exit, undefined, r.out);
  assert.match(r.error + r.problems, STOCK_ERROR);
});
test(`${TC}: adapted by threaded_runtime.py, it runs its thread and writes a file in MEMFS`, async () => {
  const r = await inBrowser(served(adapted));
  assert.equal(r.exit, 0, `${r.error}\n${r.out}\n${r.problems}`);
  assert.match(r.out, /noderawfs: 7/);
});
// Each part of the adaptation left out. 3.1.6 needs only the throw taken out; 3.1.69
// also installs Node's FS methods outside the guard and calls Node's path module.
const LOOP_GUARD = 'if(ENVIRONMENT_IS_NODE)for(var _key in NODERAWFS)';
const PARTS = [
  ['only the throw taken out', (t) => t.replace(THROW, ''), EM69],
  ['Node\'s FS methods installed anywhere', (t) => adapted(t).replace(LOOP_GUARD, 'for(var _key in NODERAWFS)'), EM69],
];
if (EM69) PARTS.push(['no path module outside Node', (t) => adapted(t).replace('var nodePath=(function(){', 'var nodePath=undefined&&(function(){'), true]);
for (const [what, edit, fails] of PARTS) {
  test(`${TC}: adapted but ${what}: it ${fails ? 'fails' : 'runs'} in a browser`, async () => {
    const r = await inBrowser(served(edit));
    if (fails) {
      assert.notEqual(r.exit, 0, r.out);
      assert.ok(r.error || r.exit !== undefined, 'neither an exit nor an error');
    } else {
      assert.equal(r.exit, 0, `${r.error}\n${r.out}\n${r.problems}`);
      assert.match(r.out, /noderawfs: 7/);
    }
  });
}
test(`${TC}: the glue ${EM69 ? 'gets a path module outside Node' : 'gets no path module (it calls none)'}`, () => {
  const text = adapted(readFileSync(path.join(DIR, 'noderawfs.js'), 'utf8'));
  assert.equal(text.includes('a path module outside Node'), EM69);
});
// The stand-in against Node's own path.posix, on the paths MEMFS hands it.
test('the path stand-in answers as Node\'s path.posix does', () => {
  const r = spawnSync('/usr/bin/python3', ['-c', 'import sys; sys.path.insert(0, sys.argv[1]); ' +
    'import threaded_runtime as t; sys.stdout.write(t.NODEPATH_SHIM)', path.join(ROOT, 'pyodide-patches/browser')],
  { encoding: 'utf8', timeout: 60000 });
  assert.equal(r.status, 0, r.stderr);
  const shim = new Function('process', `${r.stdout}\nreturn nodePath;`)(undefined);
  assert.equal(new Function('process', `${r.stdout}\nreturn nodePath;`)(process), undefined, 'under Node: the real module');
  const P = path.posix;
  const paths = ['/', '', '.', '..', 'a', '/a/b/', '/a//b/../c/./d', 'a/../../b', '/../a', 'a/b/', '/a/b/c.txt'];
  for (const p of paths) {
    if (p) {
      for (const f of ['normalize', 'dirname', 'basename', 'isAbsolute']) assert.equal(shim[f](p), P[f](p), `${f}(${JSON.stringify(p)})`);
    }
    assert.equal(shim.posix.resolve('/home/web_user', p), P.resolve('/home/web_user', p), `resolve(cwd, ${JSON.stringify(p)})`);
    assert.equal(shim.join('/tmp', p), P.join('/tmp', p), `join(/tmp, ${JSON.stringify(p)})`);
    assert.equal(shim.posix.relative('/a/b', '/' + p), P.relative('/a/b', '/' + p), `relative(/a/b, /${p})`);
  }
});
