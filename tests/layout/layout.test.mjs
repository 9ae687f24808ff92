// The JS mirror of the C structs (LAYOUT in pyodide-patches/host/host_api.mjs) matches the
// wasm32 build of tests/layout/layout.c.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { BUILD, LAYOUT } from '../../pyodide-patches/host/host_api.mjs';

export function mismatches(c, mirror) {
  const out = [];
  if (c.size !== mirror.size) out.push(`size: C ${c.size}, mirror ${mirror.size}`);
  for (const [n, v] of Object.entries(c.fields)) {
    if (!mirror.fields[n]) out.push(`${n}: in C, not in the mirror`);
    else if (mirror.fields[n].join() !== v.join()) out.push(`${n}: C ${v}, mirror ${mirror.fields[n]}`);
  }
  for (const n of Object.keys(mirror.fields)) if (!c.fields[n]) out.push(`${n}: in the mirror, not in C`);
  return out;
}

const c = JSON.parse(execFileSync(process.execPath, ['--no-experimental-fetch',
  path.join(BUILD, 'test', 'layout.js')], { encoding: 'utf8', timeout: 30000 }));

test('the wasm32 build is 32-bit', () => assert.equal(c.pointer, 4));
for (const name of Object.keys(LAYOUT)) {
  test(`LAYOUT.${name} matches C on wasm32`, () => assert.deepEqual(mismatches(c[name], LAYOUT[name]), []));
}
test('a field added in C only is caught', () => {
  const s = c.warmpool_stats;
  const grown = { size: s.size + 8, fields: { ...s.fields, new_counter: [s.size, 8] } };
  assert.deepEqual(mismatches(grown, LAYOUT.warmpool_stats),
    [`size: C ${s.size + 8}, mirror ${s.size}`, 'new_counter: in C, not in the mirror']);
});
