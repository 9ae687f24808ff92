// Runs an -sEXPORT_ES6 build under Node: node run_es6.mjs [--plain] MODULE [MAIN_JS]
// 3.1.6's ES module output still uses CommonJS names on Node (require, __dirname) and
// reads its .wasm from a file: URL that Node's fs does not take, so the embedder provides
// both names and the wasm bytes (X.wasm beside MODULE). --plain provides none of them:
// the module imported and its factory called, as an embedder that knows nothing of this
// would. MAIN_JS, when given, becomes Module.mainScriptUrlOrBlob.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const plain = args[0] === '--plain';
const [mod, mainJs] = plain ? args.slice(1) : args;
const opts = {};
if (!plain) {
  globalThis.require = createRequire(pathToFileURL(path.resolve(mod)));
  globalThis.__dirname = path.dirname(path.resolve(mod));
  opts.wasmBinary = readFileSync(path.resolve(mod).replace(/\.m?js$/, '.wasm'));
}
if (mainJs) opts.mainScriptUrlOrBlob = path.resolve(mainJs);
try {
  const factory = (await import(pathToFileURL(path.resolve(mod)).href)).default;
  await factory(opts);
} catch (e) {
  // The runtime's own errors are not always Errors (a rejected ready promise): say what.
  console.error(`run_es6: ${e && e.stack ? e.stack : String(e)}`);
  process.exit(1);
}
