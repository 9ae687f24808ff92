// Runs an -sEXPORT_ES6 build of Emscripten 3.1.6 under Node: node run_es6.mjs MODULE [MAIN_JS]
// 3.1.6's ES module output still uses CommonJS names on Node (require, __dirname) and
// reads its .wasm from a file: URL that Node's fs does not take, so the embedder provides
// both names and the wasm bytes (X.wasm beside MODULE). MAIN_JS, when given, becomes
// Module.mainScriptUrlOrBlob.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [mod, mainJs] = process.argv.slice(2);
globalThis.require = createRequire(pathToFileURL(path.resolve(mod)));
globalThis.__dirname = path.dirname(path.resolve(mod));
const factory = (await import(pathToFileURL(path.resolve(mod)).href)).default;
const opts = { wasmBinary: readFileSync(path.resolve(mod).replace(/\.m?js$/, '.wasm')) };
if (mainJs) opts.mainScriptUrlOrBlob = path.resolve(mainJs);
await factory(opts);
