// The dev server: isolation headers and MIME types on everything, nothing outside its
// two trees, 127.0.0.1 only. Runs on temporary trees so it needs no build.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createServer, listen } from '../../web/server.mjs';

let tmp, server, base, port;

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wp-web-'));
  const web = path.join(tmp, 'repo', 'web');
  const bld = path.join(tmp, 'repo', 'build', 'web');
  fs.mkdirSync(path.join(web, 'sub'), { recursive: true });
  fs.mkdirSync(path.join(bld, 'pyodide'), { recursive: true });
  fs.writeFileSync(path.join(web, 'index.html'), '<!doctype html><p>hi</p>');
  fs.writeFileSync(path.join(web, 'worker.js'), 'self.x = 1;');
  fs.writeFileSync(path.join(web, 'm.mjs'), 'export {};');
  fs.writeFileSync(path.join(web, 'sub', 'index.html'), 'sub');
  fs.writeFileSync(path.join(web, '.hidden'), 'nope');
  fs.writeFileSync(path.join(bld, 'pyodide', 'pyodide.asm.wasm'), Buffer.from([0, 97, 115, 109, 1, 0, 0, 0]));
  fs.writeFileSync(path.join(bld, 'lib.so'), Buffer.from([0, 97, 115, 109, 1, 0, 0, 0]));
  fs.writeFileSync(path.join(bld, 'p.zip'), 'PK');
  fs.writeFileSync(path.join(bld, 'p.json'), '{}');
  // Files right next to the served trees that must stay private.
  fs.writeFileSync(path.join(tmp, 'repo', 'SECRET'), 'secret-repo');
  fs.writeFileSync(path.join(tmp, 'repo', 'build', 'SECRET'), 'secret-build');
  fs.writeFileSync(path.join(tmp, 'SECRET'), 'secret-tmp');
  fs.symlinkSync(path.join(tmp, 'SECRET'), path.join(web, 'escape'));
  fs.symlinkSync(path.join(tmp, 'repo'), path.join(bld, 'escape-dir'));
  server = createServer({ repo: path.join(tmp, 'repo') });
  base = await listen(server, 0);
  port = server.address().port;
});

after(() => {
  server.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

// Sends the request target exactly as given (no client-side normalisation of ../).
function get(target, method = 'GET') {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: target, method, timeout: 5000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('latin1') }));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout on ${target}`)));
    req.on('error', reject);
    req.end();
  });
}

test('listens on 127.0.0.1 only', () => {
  assert.equal(server.address().address, '127.0.0.1');
  assert.match(base, /^http:\/\/127\.0\.0\.1:\d+\/$/);
});

test('serves web/ at / and build/web/ at /build/ with correct MIME types', async () => {
  const cases = [
    ['/', 'text/html; charset=utf-8', 'hi'],
    ['/index.html', 'text/html; charset=utf-8', 'hi'],
    ['/worker.js', 'text/javascript; charset=utf-8', 'self.x'],
    ['/m.mjs', 'text/javascript; charset=utf-8', 'export'],
    ['/sub/', 'text/html; charset=utf-8', 'sub'],
    ['/build/pyodide/pyodide.asm.wasm', 'application/wasm', 'asm'],
    ['/build/lib.so', 'application/wasm', 'asm'],
    ['/build/p.zip', 'application/zip', 'PK'],
    ['/build/p.json', 'application/json', '{}'],
    ['/build/p.json?v=1#x', 'application/json', '{}'],
  ];
  for (const [url, type, body] of cases) {
    const r = await get(url);
    assert.equal(r.status, 200, url);
    assert.equal(r.headers['content-type'], type, url);
    assert.ok(r.body.includes(body), url);
  }
});

test('every response is cross-origin isolated, errors and worker scripts included', async () => {
  for (const url of ['/', '/worker.js', '/build/pyodide/pyodide.asm.wasm', '/missing', '/../SECRET']) {
    const r = await get(url);
    assert.equal(r.headers['cross-origin-opener-policy'], 'same-origin', url);
    assert.equal(r.headers['cross-origin-embedder-policy'], 'require-corp', url);
  }
});

test('refuses paths outside the served trees', async () => {
  const bad = [
    '/../SECRET', '/../../SECRET', '/build/../SECRET', '/build/../../SECRET',
    '/%2e%2e/SECRET', '/%2E%2E/SECRET', '/build/%2e%2e/SECRET', '/%2e%2e%2fSECRET',
    '/build/%2e%2e%2f%2e%2e%2fSECRET', '/.%2e/SECRET', '/..%5cSECRET', '/..%2F..%2FSECRET',
    '/sub/../../SECRET', '/%252e%252e/SECRET', '/..', '/build/..',
    '/escape', '/build/escape-dir/SECRET', '/.hidden', '/%00', '/%zz',
    'SECRET', '*',
  ];
  for (const url of bad) {
    const r = await get(url);
    assert.ok([400, 403, 404].includes(r.status), `${url} -> ${r.status}`);
    assert.ok(!r.body.includes('secret'), `${url} leaked a file`);
  }
  // The traversal forms are refused as such, not merely "not found".
  for (const url of ['/../SECRET', '/%2e%2e/SECRET', '/build/%2e%2e%2fSECRET', '/escape']) {
    assert.equal((await get(url)).status, 403, url);
  }
});

test('only GET and HEAD', async () => {
  assert.equal((await get('/', 'POST')).status, 405);
  const h = await get('/build/lib.so', 'HEAD');
  assert.equal(h.status, 200);
  assert.equal(h.body, '');
  assert.equal(h.headers['content-length'], '8');
});

test('a directory without a trailing slash redirects inside the tree', async () => {
  const r = await get('/sub');
  assert.equal(r.status, 301);
  assert.equal(r.headers.location, '/sub/');
});
