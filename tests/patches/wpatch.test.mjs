// pyodide-patches/wpatch.py: anchors on real 3.1.6 output at -O0/-O1/-O2 (built by make),
// on the hand-written 4.0.x fixture and, in --check mode, on the real npm pyodide.asm.js;
// idempotence, --check states, all-or-nothing refusal, the *_set.py registration.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { BUILD, ROOT } from '../../pyodide-patches/host/host_api.mjs';
import { runScenario } from '../harness/host_scenario.mjs';

const TOOL = path.join(ROOT, 'pyodide-patches/wpatch.py');
const PY = '/usr/bin/python3';
// Only this set: others beside the tool (pyodide_set.py) have anchors of their own.
const wpatch = (...args) => spawnSync(PY, [TOOL, '--set', 'emscripten', ...args], { encoding: 'utf8', timeout: 60000 });
const tmp = () => mkdtempSync(path.join(tmpdir(), 'wpatch-test-'));
const EM3 = ['runtime', 'worker-script-url', 'main-script-url', 'run-message-log',
  'run-message-receive', 'thread-start-replay', 'zero-library-memory', 'record-placement',
  'record-library', 'got-slots', 'record-dlsym-slot'];
const EM4 = ['runtime-4', 'worker-script-url-4', 'run-message-log-4', 'run-message-receive-4',
  'thread-start-replay-4', 'table-fit-4', 'record-placement', 'record-library-4',
  'got-slots-4', 'record-dlsym-slot'];

function states(out) {
  const s = {};
  for (const m of out.matchAll(/^\s+(\S+)\s+emscripten\/(\S+)/gm)) s[m[2]] = m[1];
  return s;
}

const LEVELS = [['O0', path.join(BUILD, 'fixtures/O0')], ['O1', path.join(BUILD, 'fixtures/O1')],
  ['O2', path.join(BUILD, 'host')]];

for (const [level, dir] of LEVELS) {
  test(`3.1.6 -${level}: every anchor found, applied once, second run changes nothing`, () => {
    const d = tmp(), f = path.join(d, 'host.js');
    copyFileSync(path.join(dir, 'host.js'), f);
    let r = wpatch('--check', f);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /shape em3/);
    assert.deepEqual(Object.keys(states(r.stdout)).sort(), [...EM3].sort());
    assert.ok(Object.values(states(r.stdout)).every((s) => s === 'ready'), r.stdout);
    r = wpatch(f);
    assert.equal(r.status, 0, r.stderr);
    const once = readFileSync(f, 'utf8');
    for (const n of EM3) assert.ok(once.includes(`/*wpatch:${n}*/`), n);
    r = wpatch(f);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /already patched/);
    assert.equal(readFileSync(f, 'utf8'), once);
    r = wpatch('--check', f);
    assert.equal(r.status, 0);
    assert.ok(Object.values(states(r.stdout)).every((s) => s === 'applied'), r.stdout);
  });
}

// The patched -O0 and -O1 runtimes work, not only parse.
for (const level of ['O0', 'O1']) {
  test(`3.1.6 -${level}: the patched host passes the Pyodide-style load`, { timeout: 120000 }, async () => {
    const d = tmp(), src = path.join(BUILD, `fixtures/${level}`);
    for (const f of ['host.wasm', 'host.worker.js']) copyFileSync(path.join(src, f), path.join(d, f));
    const r0 = wpatch(path.join(src, 'host.js'), '-o', path.join(d, 'host.js'));
    assert.equal(r0.status, 0, r0.stderr);
    const r = await runScenario('pyodide-load', d, { timeoutMs: 60000 });
    assert.ok(r.ok, r.why.slice(0, 3000));
  });
}

test('a file missing anchors is refused, every missing one named, and left untouched', () => {
  const d = tmp(), f = path.join(d, 'host.js');
  const text = readFileSync(path.join(BUILD, 'host/host.js'), 'utf8')
    .replace('receiveObjectTransfer', 'receiveObjectsTransfer')
    .replace(/function moduleLoaded/, 'function moduleIsLoaded');
  writeFileSync(f, text);
  const r = wpatch(f);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /emscripten\/run-message-receive not found/);
  assert.match(r.stderr, /emscripten\/record-library not found/);
  assert.match(r.stderr, /2 anchor\(s\) missing; file left untouched/);
  assert.equal(readFileSync(f, 'utf8'), text);
  assert.equal(wpatch('--check', f).status, 2);
});

test('a replacement that would not parse is refused and nothing is written', () => {
  const d = tmp();
  writeFileSync(path.join(d, 'bad_set.py'), `
def register(api):
    api.patch(name="breaks-syntax", set="bad", shapes=("em3",),
              anchor=r"function\\s+spawnThread", replacement="{MARK} function (((", doc="")
`);
  copyFileSync(TOOL, path.join(d, 'wpatch.py'));
  for (const f of ['emscripten_set.py', 'replay_runtime.js']) copyFileSync(path.join(ROOT, 'pyodide-patches', f), path.join(d, f));
  const f = path.join(d, 'host.js');
  copyFileSync(path.join(BUILD, 'host/host.js'), f);
  const before = readFileSync(f, 'utf8');
  const r = spawnSync(PY, [path.join(d, 'wpatch.py'), f], { encoding: 'utf8', timeout: 60000 });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /does not parse/);
  assert.equal(readFileSync(f, 'utf8'), before);
  assert.deepEqual(spawnSync('ls', ['-a', d], { encoding: 'utf8' }).stdout.split('\n').filter((n) => n.startsWith('.wpatch-')), []);
});

test('every *_set.py beside the tool registers its patches', () => {
  const d = tmp();
  copyFileSync(TOOL, path.join(d, 'wpatch.py'));
  for (const f of ['emscripten_set.py', 'replay_runtime.js']) copyFileSync(path.join(ROOT, 'pyodide-patches', f), path.join(d, f));
  writeFileSync(path.join(d, 'demo_set.py'), `
def register(api):
    api.patch(name="demo", set="demo", shapes=("em3", "em4"), anchor=r"var Module",
              replacement="{MARK}\\\\g<0>", doc="a demo patch")
`);
  const r = spawnSync(PY, [path.join(d, 'wpatch.py'), '--list'], { encoding: 'utf8', timeout: 60000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /patch demo\/demo \[em3, em4\]/);
  assert.match(r.stdout, /patch emscripten\/runtime \[em3\]/);
  const f = path.join(d, 'host.js');
  copyFileSync(path.join(BUILD, 'host/host.js'), f);
  const only = spawnSync(PY, [path.join(d, 'wpatch.py'), '--set', 'demo', f], { encoding: 'utf8', timeout: 60000 });
  assert.equal(only.status, 0, only.stderr);
  const text = readFileSync(f, 'utf8');
  assert.ok(text.includes('/*wpatch:demo*/') && !text.includes('/*wpatch:runtime*/'));
});

test('a file of no known shape is refused', () => {
  const d = tmp(), f = path.join(d, 'x.js');
  writeFileSync(f, 'console.log(1);\n');
  const r = wpatch(f);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /not a runtime shape this tool knows/);
});

test('4.0.x fixture: every em4 anchor found, patched text parses, idempotent', () => {
  const d = tmp(), f = path.join(d, 'pyodide.asm.js');
  copyFileSync(path.join(ROOT, 'tests/patches/fixtures/em4_pthread_dylink.js'), f);
  let r = wpatch('--check', f);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /shape em4/);
  assert.deepEqual(Object.keys(states(r.stdout)).sort(), [...EM4].sort());
  r = wpatch(f);
  assert.equal(r.status, 0, r.stderr);
  const once = readFileSync(f, 'utf8');
  assert.equal(spawnSync(process.execPath, ['--check', f]).status, 0);
  assert.equal(wpatch(f).status, 0);
  assert.equal(readFileSync(f, 'utf8'), once);
});

// Stock Pyodide 0.29 is not a pthread build: the dynamic-linking anchors are there, the
// pthread ones are not, and the tool says so without touching the file.
const PYODIDE = path.join(ROOT, 'node_modules/pyodide/pyodide.asm.js');
test('real pyodide.asm.js (--check): which 4.0.x anchors it finds', { skip: !existsSync(PYODIDE) && 'no node_modules/pyodide' }, (t) => {
  const before = readFileSync(PYODIDE);
  const r = wpatch('--check', PYODIDE);
  const s = states(r.stdout);
  t.diagnostic(`pyodide.asm.js: ${Object.entries(s).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  assert.match(r.stdout, /shape em4/);
  for (const n of ['table-fit-4', 'record-placement', 'record-library-4', 'got-slots-4', 'record-dlsym-slot']) {
    assert.equal(s[n], 'ready', `${n} should be found in 4.0.9 dynamic-linking code`);
  }
  for (const n of ['runtime-4', 'worker-script-url-4', 'run-message-log-4', 'run-message-receive-4', 'thread-start-replay-4']) {
    assert.equal(s[n], 'MISSING', `${n}: stock Pyodide has no pthread runtime`);
  }
  assert.equal(r.status, 2);
  assert.ok(readFileSync(PYODIDE).equals(before));
});
