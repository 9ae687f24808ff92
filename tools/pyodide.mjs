// The Pyodide versions warmpool supports, installed side by side from npm (package.json
// aliases), and the two ways a Pyodide app installs a wheel offline: loadPackage(URL), and
// a lock-file entry that loadPackagesFromImports resolves from `import warmpool`.
import fs from 'node:fs';
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// version -> its directory in node_modules. The demo runs the newest by default; PINNED
// is npm's `pyodide` itself (no alias), what runners use when not told a version.
export const VERSIONS = { '0.27': 'pyodide-0.27', '0.29': 'pyodide', '314': 'pyodide-314' };
const ORDER = ['0.27', '0.29', '314']; // (an object lists the integer-like key '314' first)
export const NEWEST = '314';
export const PINNED = '0.29';

export function indexURL(version) {
  const dir = VERSIONS[version];
  if (!dir) throw new Error(`Pyodide ${version} is not supported: use one of ${Object.keys(VERSIONS).join(', ')}`);
  const p = path.join(ROOT, 'node_modules', dir);
  if (!fs.existsSync(path.join(p, 'pyodide.mjs'))) throw new Error(`${p} missing: run make deps`);
  return p + '/';
}

// The versions named by $PYODIDE_VERSIONS (space- or comma-separated), else all.
export function selectedVersions(env = process.env.PYODIDE_VERSIONS) {
  const vs = (env || '').split(/[\s,]+/).filter(Boolean);
  for (const v of vs) indexURL(v);
  return vs.length ? vs : ORDER;
}

// The lock-file entry of a wheel (the fields every supported version reads).
function lockEntry(wheel, fileName) {
  const version = path.basename(wheel).split('-')[1];
  return {
    name: 'warmpool', version, file_name: fileName, install_dir: 'site',
    sha256: crypto.createHash('sha256').update(fs.readFileSync(wheel)).digest('hex'),
    package_type: 'package', imports: ['warmpool'], depends: [],
    unvendored_tests: false, shared_library: false,
  };
}

// loadPyodide options whose lock file lists `wheel` as the package "warmpool": the
// version's own lock file plus that entry. 0.28+ take lockFileContents and
// packageBaseUrl; 0.27 only reads a lock file from a URL, and resolves file_name itself.
// Under Node the base is a directory path: given a file:// URL, Pyodide does not find the
// wheel "locally", fetches it as from a CDN and caches a copy under ./file:/...
export function lockFileOptions(version, wheel) {
  const index = indexURL(version);
  const lock = JSON.parse(fs.readFileSync(index + 'pyodide-lock.json', 'utf8'));
  const dir = path.dirname(path.resolve(wheel));
  if (Number(version) >= 0.28) {
    lock.packages.warmpool = lockEntry(wheel, path.basename(wheel));
    return { lockFileContents: JSON.stringify(lock), packageBaseUrl: dir + '/' };
  }
  lock.packages.warmpool = lockEntry(wheel, path.resolve(wheel));
  const text = JSON.stringify(lock);
  // Named by its content: every instance with the same wheel reuses one file.
  const hash = crypto.createHash('sha256').update(text).digest('hex').slice(0, 16);
  const file = path.join(os.tmpdir(), `warmpool-pyodide-lock-${version}-${hash}.json`);
  if (!fs.existsSync(file)) {
    fs.writeFileSync(`${file}.${process.pid}`, text);
    fs.renameSync(`${file}.${process.pid}`, file);
  }
  return { lockFileURL: file };
}

// Installs `wheel` into a loaded Pyodide: how = 'loadPackage' (its file:// URL) or
// 'lockfile' (`py` was loaded with lockFileOptions; `import warmpool` resolves it).
// Pyodide logs a failure instead of throwing: the result says what happened,
// { ok, loaded (what Pyodide reports), messages (everything it logged) }.
export async function installWheel(py, wheel, how) {
  const messages = [];
  const opts = { messageCallback: (m) => messages.push(m), errorCallback: (m) => messages.push(m) };
  let loaded;
  if (how === 'loadPackage') loaded = await py.loadPackage(pathToFileURL(path.resolve(wheel)).href, opts);
  else if (how === 'lockfile') loaded = await py.loadPackagesFromImports('import warmpool', opts);
  else throw new Error(`unknown install method ${how}`);
  loaded = (loaded || []).map((p) => p.name);
  const ok = loaded.includes('warmpool') && 'warmpool' in py.loadedPackages;
  return { ok, loaded, messages };
}

// Library names the Pyodide runtime holds now (what it preloaded from a wheel).
export function loadedLibraries(py) {
  return Object.keys(py._module.LDSO.loadedLibsByName);
}
