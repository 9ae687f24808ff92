// Fails (exit 1) when a side module imports anything outside pyodide-patches/imports/allowed.txt,
// naming each offender: those would link in one runtime and break, or silently corrupt
// memory, in the other (see the list's header).
// Usage: node check_imports.mjs LIB.so... [--allow FILE]... (default: allowed.txt;
// a name ending in * allows every name with that prefix)
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const allowFiles = [];
for (let i; (i = args.indexOf('--allow')) >= 0;) allowFiles.push(args.splice(i, 2)[1]);
if (!allowFiles.length) allowFiles.push(join(dirname(fileURLToPath(import.meta.url)), 'allowed.txt'));
const names = allowFiles.flatMap((f) => readFileSync(f, 'utf8').split('\n'))
  .map((l) => l.replace(/#.*/, '').trim()).filter(Boolean);
const allowed = new Set(names.filter((n) => !n.endsWith('*')));
const prefixes = names.filter((n) => n.endsWith('*')).map((n) => n.slice(0, -1));
const allowFile = allowFiles.join(' + ');
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
    if (!allowed.has(key) && !prefixes.some((p) => key.startsWith(p))) {
      console.error(`${file}: import ${module}.${name} (${kind}) is not in ${allowFile}`);
      bad++;
    }
  }
}
if (bad) process.exit(1);
console.log(`import check: ${args.join(' ')}: ok`);
