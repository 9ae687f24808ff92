// make bench-web: the demo's per-frame resize time in a headless browser, serial vs
// pooled, in both runtimes (stock Pyodide, the page's default version, and the threaded
// CPython), side by side in one run. A 200-step drag (pool warm) over the 1280x960 scene
// at zoom 0.5: each frame area-resizes a 960x720 pixels3d crop to 480x360.
// Figures: medians over the drawn frames; input->draw is pointer event to putImageData.
//   WEB_ENGINE=chromium|firefox (default chromium), WEB_PYODIDE=KEY (default: the newest).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch } from '../tests/web/engines.mjs';
import { createServer, listen } from '../web/server.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ENGINE = process.env.WEB_ENGINE || 'chromium';
const median = (a) => { const b = a.filter((x) => x != null).sort((x, y) => x - y); return b[b.length >> 1]; };

const server = createServer({ repo: REPO });
const base = await listen(server, 0);
const browser = await launch(ENGINE);
const rows = [];
try {
  const pyodide = process.env.WEB_PYODIDE ? `&pyodide=${process.env.WEB_PYODIDE}` : '';
  for (const mode of ['serial', 'threaded']) {
    const page = await browser.newPage({ width: 800, height: 900 });
    await page.goto(`${base}?mode=${mode}${mode === 'serial' ? pyodide : ''}`, 60_000);
    await page.waitFor(() => window.warmpoolDemo.ready || window.warmpoolDemo.errors.length, null, 90_000);
    const err = await page.evaluate(() => window.warmpoolDemo.errors.join('\n'));
    if (err) throw new Error(`${mode}: ${err}`);
    const runtime = await page.evaluate(() => window.warmpoolDemo.runtime.name);
    const box = await page.box('#view');
    const at = (x, y) => [box.x + x * box.width / 480, box.y + y * box.height / 360];
    await page.mouse.move(...at(400, 300));
    await page.mouse.down();
    const skip = await page.evaluate(() => window.warmpoolDemo.frameLog.length);
    for (let i = 1; i <= 200; i++) {
      const t = i / 200;
      await page.mouse.move(...at(400 - 300 * t, 300 - 220 * Math.sin(Math.PI * t)));
    }
    await page.mouse.up();
    await new Promise((r) => setTimeout(r, 500));
    const log = (await page.evaluate(() => window.warmpoolDemo.frameLog)).slice(skip);
    await page.click('#bench');
    await page.waitFor(() => window.warmpoolDemo.bench || window.warmpoolDemo.errors.length, null, 120_000);
    const big = await page.evaluate(() => window.warmpoolDemo.bench);
    const st = await page.evaluate(() => window.warmpoolDemo.stats);
    const s = median(log.map((f) => f.serialMs)), p = median(log.map((f) => f.pooledMs));
    rows.push({ mode, runtime, frames: log.length, serial: s, pooled: p, ratio: s / p,
      latency: median(log.map((f) => f.latencyMs)), workers: st.workers, itemsWorkers: st.items_workers,
      itemsCaller: st.items_caller, big });
    await page.close();
  }
} finally {
  await browser.close();
  server.close();
}
console.log(`web demo in ${ENGINE} ${browser.version}, 960x720 -> 480x360 area resize per frame (medians, ms):`);
for (const r of rows) console.log(`  ${r.mode}: ${r.runtime}`);
console.log('runtime   frames  serial  pooled  serial/pooled  input->draw  pool workers  items caller/workers');
for (const r of rows) {
  console.log(`${r.mode.padEnd(9)} ${String(r.frames).padStart(6)} ${r.serial.toFixed(3).padStart(7)} ` +
    `${r.pooled.toFixed(3).padStart(7)} ${r.ratio.toFixed(2).padStart(14)} ${r.latency.toFixed(2).padStart(12)} ` +
    `${String(r.workers).padStart(13)}  ${r.itemsCaller}/${r.itemsWorkers}`);
}
console.log(`\nbigger job (button "Resize the whole picture"), medians of ${rows[0].big.runs}, ms:`);
console.log('runtime   job                      serial  pooled  serial/pooled  pooled(warm)  serial/pooled(warm)');
for (const r of rows) {
  const b = r.big;
  console.log(`${r.mode.padEnd(9)} ${b.size.padEnd(22)} ${b.serialMs.toFixed(3).padStart(8)} ` +
    `${b.pooledMs.toFixed(3).padStart(7)} ${(b.serialMs / b.pooledMs).toFixed(2).padStart(14)} ` +
    `${b.pooledWarmMs.toFixed(3).padStart(13)} ${(b.serialMs / b.pooledWarmMs).toFixed(2).padStart(20)}`);
}
