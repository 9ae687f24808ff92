// Dev server for the warmpool web demo. Node stdlib only.
//
// Serves two trees and nothing else: web/ at "/" and build/web/ at "/build/". Every
// response carries COOP same-origin + COEP require-corp, because SharedArrayBuffer (and so
// Wasm threads) exists only in a cross-origin isolated page, and a worker script without
// COEP is blocked with no useful error. Listens on 127.0.0.1 only.
//
//   node web/server.mjs [--port N]      (N = 0 picks a free port; prints the URL)
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm', // Pyodide hangs on "wasm instantiation failed!" otherwise
  '.so': 'application/wasm',   // our side modules are wasm too
  '.zip': 'application/zip',
  '.tar': 'application/x-tar',
  '.data': 'application/octet-stream',
  '.py': 'text/plain; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
};

export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

// Maps a raw request target to a file path inside one of the mounts, or returns an HTTP
// status. Decoding happens before the ".." check, so %2e%2e and %2f cannot smuggle a
// traversal past it; the resolved path (symlinks followed) must still be inside the root.
export function resolveRequest(rawUrl, mounts) {
  if (typeof rawUrl !== 'string' || !rawUrl.startsWith('/')) return { status: 400 };
  let p = rawUrl.split(/[?#]/, 1)[0];
  try { p = decodeURIComponent(p); } catch { return { status: 400 }; }
  if (p.includes('\0') || p.includes('\\')) return { status: 400 };
  const segs = p.split('/');
  if (segs.some((s) => s === '..')) return { status: 403 };
  // Dotfiles (.git, .cache, ...) are never part of what we serve.
  if (segs.some((s) => s.startsWith('.') && s !== '')) return { status: 403 };
  for (const m of mounts) {
    if (p !== m.prefix.slice(0, -1) && !p.startsWith(m.prefix)) continue;
    const rel = p.slice(m.prefix.length);
    const root = path.resolve(m.dir);
    const full = path.resolve(root, '.' + path.sep + rel);
    if (full !== root && !full.startsWith(root + path.sep)) return { status: 403 };
    return { file: full, root };
  }
  return { status: 404 };
}

function inside(real, root) {
  return real === root || real.startsWith(root + path.sep);
}

// isolate: false drops the three isolation headers (only for showing what the page does
// without them).
export function createServer({ repo = path.resolve(HERE, '..'), mounts, isolate = true } = {}) {
  const iso = isolate ? ISOLATION_HEADERS : {};
  mounts = mounts || [
    // Longest prefix first.
    { prefix: '/build/', dir: path.join(repo, 'build', 'web') },
    { prefix: '/', dir: path.join(repo, 'web') },
  ];
  const server = http.createServer((req, res) => {
    const send = (status, body, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { ...iso, 'Content-Type': type, 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed\n');
    const r = resolveRequest(req.url, mounts);
    if (r.status) return send(r.status, `${r.status}\n`);
    let file = r.file;
    fs.realpath(file, (err, real) => {
      if (err) return send(404, '404\n');
      let realRoot;
      try { realRoot = fs.realpathSync(r.root); } catch { return send(404, '404\n'); }
      if (!inside(real, realRoot)) return send(403, '403\n');
      fs.stat(real, (err2, st) => {
        if (err2) return send(404, '404\n');
        if (st.isDirectory()) {
          if (!req.url.split(/[?#]/, 1)[0].endsWith('/')) {
            res.writeHead(301, { ...iso, Location: req.url.split(/[?#]/, 1)[0] + '/' });
            return res.end();
          }
          file = path.join(real, 'index.html');
          return fs.stat(file, (e3, st3) => (e3 || !st3.isFile() ? send(404, '404\n') : stream(file, st3)));
        }
        if (!st.isFile()) return send(404, '404\n');
        stream(real, st);
      });
    });
    function stream(file, st) {
      res.writeHead(200, {
        ...iso,
        'Content-Type': MIME[path.extname(file).toLowerCase()] || 'application/octet-stream',
        'Content-Length': st.size,
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
      });
      if (req.method === 'HEAD') return res.end();
      fs.createReadStream(file).on('error', () => res.destroy()).pipe(res);
    }
  });
  return server;
}

// Starts listening on 127.0.0.1; resolves to the base URL.
export function listen(server, port = 0) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const a = server.address();
      resolve(`http://127.0.0.1:${a.port}/`);
    });
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--port');
  const port = i > 0 ? Number(process.argv[i + 1]) : 8765;
  const server = createServer();
  listen(server, port).then((url) => {
    console.log(`warmpool web demo: ${url}  (threaded mode: ${url}?mode=threaded)`);
  }, (e) => { console.error(`web server: ${e.message}`); process.exit(1); });
}
