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
  'record-library', 'got-slots', 'record-dlsym-slot', 'dlopen-replay'];
const EM3_ES6 = ['worker-script-url-es6'];  // not needed: classic output
const EM4 = ['runtime-4', 'worker-script-url-4', 'run-message-log-4', 'run-message-receive-4',
  'thread-start-replay-4', 'table-fit-4', 'record-placement', 'record-library-4',
  'got-slots-4', 'record-dlsym-slot', 'dlopen-replay'];

function states(out) {
  const s = {};
  for (const m of out.matchAll(/^\s+(\S+)\s+emscripten\/([\w-]+)/gm)) s[m[2]] = m[1];
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
    assert.match(r.stdout, /shape em3\.1\.6 /);
    const st = states(r.stdout);
    assert.deepEqual(Object.keys(st).sort(), [...EM3, ...EM3_ES6].sort());
    assert.ok(EM3.every((n) => st[n] === 'ready'), r.stdout);
    assert.ok(EM3_ES6.every((n) => st[n] === 'not-needed'), r.stdout);
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
    assert.ok(EM3.every((n) => states(r.stdout)[n] === 'applied'), r.stdout);
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
    api.patch(name="breaks-syntax", set="bad", shapes=("em3.1.6",),
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
    api.patch(name="demo", set="demo", shapes=("em3.1.6", "em4"), anchor=r"var Module",
              replacement="{MARK}\\\\g<0>", doc="a demo patch")
`);
  const r = spawnSync(PY, [path.join(d, 'wpatch.py'), '--list'], { encoding: 'utf8', timeout: 60000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /patch demo\/demo \[em3\.1\.6, em4\]/);
  assert.match(r.stdout, /patch emscripten\/runtime \[em3\.1\.6\]/);
  const f = path.join(d, 'host.js');
  copyFileSync(path.join(BUILD, 'host/host.js'), f);
  const only = spawnSync(PY, [path.join(d, 'wpatch.py'), '--set', 'demo', f], { encoding: 'utf8', timeout: 60000 });
  assert.equal(only.status, 0, only.stderr);
  const text = readFileSync(f, 'utf8');
  assert.ok(text.includes('/*wpatch:demo*/') && !text.includes('/*wpatch:runtime*/'));
});

test('a file of no known shape is refused, with what was probed', () => {
  const d = tmp(), f = path.join(d, 'x.js');
  writeFileSync(f, 'console.log(1);\n');
  const r = wpatch(f);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /not a runtime shape this tool knows; probed:/);
  for (const s of ['em3.1.6', 'em3.1.58', 'em4', 'em5']) assert.match(r.stderr, new RegExp(`^  ${s.replace(/\./g, '\\.')} \\(`, 'm'));
  assert.match(r.stderr, /loader \(lib, flags, handle\) NO/);
  assert.match(r.stderr, /not Emscripten output/);
});

test('closure-minified output: the report says the tool needs unminified output', () => {
  const d = tmp(), f = path.join(d, 'min.js');
  // What --closure 1 leaves of a runtime: no runtime name survives.
  writeFileSync(f, 'var b=function(a){var c=new WebAssembly.Memory({initial:a,shared:!0});return WebAssembly.instantiate(a,{env:{memory:c}})};\n');
  const r = wpatch(f);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /looks minified by closure[\s\S]*needs output built without closure/);
});

test('--set pyodide on a runtime that is not Pyodide says to use --set emscripten', () => {
  const d = tmp(), f = path.join(d, 'vips.js');
  copyFileSync(path.join(ROOT, 'tests/patches/fixtures/em4_pthread_dylink.js'), f);
  const r = spawnSync(PY, [TOOL, '--set', 'pyodide', f], { encoding: 'utf8', timeout: 60000 });
  assert.equal(r.status, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /not a Pyodide runtime[\s\S]*use --set emscripten/);
  // Without --set the Pyodide patches are simply not needed there.
  const all = spawnSync(PY, [TOOL, '--check', f], { encoding: 'utf8', timeout: 60000 });
  assert.equal(all.status, 1, all.stdout + all.stderr);
  assert.match(all.stdout, /not-needed pyodide\/pyodide-helpers: not a Pyodide runtime/);
});

// Bad input: one line on stderr, exit 3 (1 is --check's "patchable", 2 "refused").
const ONE = (r) => r.stderr.trim().split('\n').filter((l) => l.startsWith('wpatch:'));
test('bad input: missing path, directory, non-UTF-8 file, unknown set or patch: exit 3, one line', () => {
  const d = tmp(), bin = path.join(d, 'x.js');
  writeFileSync(bin, Buffer.from([0x76, 0x61, 0x72, 0x20, 0xff, 0xfe, 0x00, 0x81]));
  const cases = [
    [[path.join(d, 'nope.js')], /no such file/],
    [[d], /is a directory \(only --check takes a directory\)/],
    [[bin], /not UTF-8 text/],
    [['--set', 'nosuchset', path.join(BUILD, 'host/host.js')], /unknown set 'nosuchset' \(known: emscripten, pyodide\)/],
    [['--only', 'nosuchpatch', path.join(BUILD, 'host/host.js')], /unknown patch 'nosuchpatch'/],
  ];
  for (const [args, msg] of cases) {
    const r = spawnSync(PY, [TOOL, ...args], { encoding: 'utf8', timeout: 60000 });
    assert.equal(r.status, 3, `${args}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /Traceback/);
    assert.equal(ONE(r).length, 1, r.stderr);
    assert.match(ONE(r)[0], msg);
  }
});

test('a CRLF file stays CRLF, inserted lines included, and parses', () => {
  const d = tmp(), f = path.join(d, 'host.js');
  const lf = readFileSync(path.join(BUILD, 'fixtures/O0/host.js'), 'utf8');
  writeFileSync(f, lf.replace(/\r?\n/g, '\r\n'));
  const r = wpatch(f);
  assert.equal(r.status, 0, r.stderr);
  const out = readFileSync(f, 'utf8');
  assert.ok(out.includes('/*wpatch:runtime*/'));
  assert.equal((out.match(/(?<!\r)\n/g) || []).length, 0, 'a bare LF in the output');
  assert.ok(out.split('\r\n').length > lf.split('\n').length, 'the inserted runtime has its own lines');
  assert.equal(spawnSync(process.execPath, ['--check', f]).status, 0);
});

test('--only applies just the patches named', () => {
  const d = tmp(), f = path.join(d, 'host.js');
  copyFileSync(path.join(BUILD, 'host/host.js'), f);
  const r = wpatch('--only', 'zero-library-memory', f);
  assert.equal(r.status, 0, r.stderr);
  const out = readFileSync(f, 'utf8');
  assert.ok(out.includes('/*wpatch:zero-library-memory*/') && !out.includes('/*wpatch:runtime*/'));
});

test('.mjs output is syntax-checked as a module', () => {
  const d = tmp();
  // `with` parses in a script, never in a module (modules are strict).
  writeFileSync(path.join(d, 'mod_set.py'), `
def register(api):
    api.patch(name="with-block", set="mod", shapes=("em3.1.6",), anchor=r"var Module",
              replacement="{MARK}with({}){}\\\\g<0>", doc="")
`);
  copyFileSync(TOOL, path.join(d, 'wpatch.py'));
  for (const f of ['emscripten_set.py', 'replay_runtime.js']) copyFileSync(path.join(ROOT, 'pyodide-patches', f), path.join(d, f));
  const src = readFileSync(path.join(BUILD, 'host/host.js'), 'utf8');
  for (const [name, status] of [['host.js', 0], ['host.mjs', 2]]) {
    const f = path.join(d, name);
    writeFileSync(f, src);
    const r = spawnSync(PY, [path.join(d, 'wpatch.py'), '--set', 'mod', f], { encoding: 'utf8', timeout: 60000 });
    assert.equal(r.status, status, `${name}: ${r.stderr.slice(-300)}`);
    if (status) assert.match(r.stderr, /does not parse/);
  }
});

test('--check on a directory reports each runtime file, status the worst', () => {
  const d = tmp();
  copyFileSync(path.join(BUILD, 'host/host.js'), path.join(d, 'a.js'));
  writeFileSync(path.join(d, 'b.js'), 'console.log(1);\n');
  writeFileSync(path.join(d, 'notes.txt'), 'not a runtime\n');
  const r = wpatch('--check', d);
  assert.equal(r.status, 2, r.stdout + r.stderr);
  assert.match(r.stdout, /a\.js: shape em3\.1\.6[\s\S]*a\.js: status 1/);
  assert.match(r.stdout, /b\.js: status 2/);
  assert.doesNotMatch(r.stdout + r.stderr, /notes\.txt/);
});

test('4.0.x fixture: every em4 anchor found, patched text parses, idempotent', () => {
  const d = tmp(), f = path.join(d, 'pyodide.asm.js');
  copyFileSync(path.join(ROOT, 'tests/patches/fixtures/em4_pthread_dylink.js'), f);
  let r = wpatch('--check', f);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /shape em4 /);
  const st = states(r.stdout);
  assert.deepEqual(Object.keys(st).filter((n) => st[n] !== 'not-needed').sort(), [...EM4].sort());
  assert.equal(st['worker-script-url-es6-4'], 'not-needed');
  r = wpatch(f);
  assert.equal(r.status, 0, r.stderr);
  const once = readFileSync(f, 'utf8');
  assert.equal(spawnSync(process.execPath, ['--check', f]).status, 0);
  assert.equal(wpatch(f).status, 0);
  assert.equal(readFileSync(f, 'utf8'), once);
});
