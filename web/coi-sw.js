// A service worker for hosts that cannot send headers (a plain file server, GitHub
// Pages): it adds COOP same-origin + COEP require-corp (and CORP same-origin) to this
// site's own responses, which makes the page cross-origin isolated, hence gives it
// SharedArrayBuffer and Wasm threads. Opt-in: coi.js registers it only for ?coi=1, and
// ?coi=0 removes it. Other origins' responses pass through untouched (under COEP they
// must carry CORP or CORS themselves; this page loads none).
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (e) => {
  const req = e.request;
  if (new URL(req.url).origin !== self.location.origin) return;
  // DevTools-style requests that only a cache may answer cannot be fetched again.
  if (req.cache === 'only-if-cached' && req.mode !== 'same-origin') return;
  e.respondWith(fetch(req).then((r) => {
    // Opaque redirects and errors cannot be copied; they go back as they came.
    if (r.status === 0 || r.type === 'opaqueredirect') return r;
    const headers = new Headers(r.headers);
    headers.set('Cross-Origin-Opener-Policy', 'same-origin');
    headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
    headers.set('Cross-Origin-Resource-Policy', 'same-origin');
    return new Response(r.body, { status: r.status, statusText: r.statusText, headers });
  }));
});
