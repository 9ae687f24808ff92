// Fails (exit 1) when a side module imports anything outside tests/wasm/allowed_imports.txt,
// naming each offender: those would link in one runtime and break, or silently corrupt
// memory, in the other (see the list's header).
// Usage: node check_imports.mjs LIB.so [--allow FILE]
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const ai = args.indexOf('--allow');
const allowFile = ai >= 0 ? args.splice(ai, 2)[1]
  : join(dirname(fileURLToPath(import.meta.url)), 'allowed_imports.txt');
const allowed = new Set(readFileSync(allowFile, 'utf8').split('\n')
  .map((l) => l.replace(/#.*/, '').trim()).filter(Boolean));
let bad = 0;
for (const file of args) {
  const mod = new WebAssembly.Module(readFileSync(file));
  const own = new Set(WebAssembly.Module.exports(mod).map((e) => e.name));
  for (const { module, name, kind } of WebAssembly.Module.imports(mod)) {
    const got = module === 'GOT.mem' || module === 'GOT.func';
    // A GOT entry for the library's own symbol is resolved inside it; any other one
    // names a symbol of the runtime, like a plain import.
    if (got && own.has(name)) continue;
    const key = module === 'env' || got ? name : `${module}.${name}`;
    if (!allowed.has(key)) {
      console.error(`${file}: import ${module}.${name} (${kind}) is not in ${allowFile}`);
      bad++;
    }
  }
}
if (bad) process.exit(1);
console.log(`import check: ${args.join(' ')}: ok`);
