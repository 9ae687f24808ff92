'use strict';
// Cross-origin isolation on hosts that cannot send headers, opt-in: with ?coi=1 a page
// that is not isolated registers coi-sw.js (which adds COOP/COEP to this site's
// responses) and reloads once, now through it; ?coi=0 unregisters it. A classic script
// that runs before main.js, which reads window.warmpoolCoi: {state, reason}, state one of
// "headers" (the server sends them), "active" (isolated through the service worker),
// "reloading" (main.js must not start: the page is about to reload), "off" (not asked
// for), "failed", "unavailable".
(() => {
  const KEY = 'warmpool-coi-reloaded';
  const q = new URLSearchParams(location.search).get('coi');
  const sw = 'serviceWorker' in navigator ? navigator.serviceWorker : null;
  const coi = (window.warmpoolCoi = { state: 'off', reason: '' });
  if (sw && q === '0') {
    const removed = sw.getRegistrations().then((regs) => Promise.all(regs.map((r) => r.unregister())));
    if (sw.controller) {
      // This page came through it: load again without it (and without ?coi=0).
      coi.state = 'reloading';
      const url = new URL(location.href);
      url.searchParams.delete('coi');
      removed.then(() => location.replace(url.href));
      return;
    }
    coi.reason = 'the service worker was removed (?coi=0)';
  }
  if (self.crossOriginIsolated) {
    coi.state = sw && sw.controller ? 'active' : 'headers';
    sessionStorage.removeItem(KEY);
    return;
  }
  if (!sw) {
    coi.state = 'unavailable';
    coi.reason = 'service workers are not available here (not a secure context, or disabled)';
    return;
  }
  if (q === '0') return;
  if (q !== '1') {
    coi.reason = 'add ?coi=1 to turn them on through a service worker';
    return;
  }
  if (sw.controller || sessionStorage.getItem(KEY)) {
    // Already reloaded once, or controlled and still not isolated: reloading again
    // would loop.
    coi.state = 'failed';
    coi.reason = sw.controller ? 'the service worker runs but the page is still not isolated'
      : 'the page reloaded once and the service worker still does not control it';
    sessionStorage.removeItem(KEY);
    return;
  }
  coi.state = 'reloading';
  const reload = () => {
    if (sessionStorage.getItem(KEY)) return;
    sessionStorage.setItem(KEY, '1');
    location.reload();
  };
  sw.addEventListener('controllerchange', reload);
  sw.register('coi-sw.js').then(() => sw.ready).then(() => {
    // Activated: it claims this page (controllerchange), or will serve the reload anyway.
    setTimeout(reload, 1000);
  }, (err) => {
    coi.state = 'failed';
    coi.reason = `the service worker did not register: ${err && err.message}`;
    console.error(`warmpool demo: ${coi.reason}`);
    window.dispatchEvent(new Event('warmpool-coi'));
  });
})();
