// run.mjs - runs one scenario of scenarios.mjs in a child Node process with a hard timeout
// (a hang inside C blocks that process for good, so only a kill can end it).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { BUILD } from '../wasm/host_api.mjs';

const HERE = path.dirname(new URL(import.meta.url).pathname);
export const HOST = path.join(BUILD, 'host');
export const PATCHED = path.join(BUILD, 'host-patched');

export function runScenario(name, hostDir, { lib, timeoutMs = 30000, env = {} } = {}) {
  return new Promise((resolve) => {
    const args = ['--no-experimental-fetch', path.join(HERE, 'scenarios.mjs'), name, hostDir];
    if (lib) args.push(lib);
    const child = spawn(process.execPath, args, {
      env: { ...process.env, NODE_PATH: '/usr/share/nodejs', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '', err = '', timedOut = false;
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      const r = line ? JSON.parse(line.slice(7)) : { checks: {} };
      for (const l of out.split('\n')) if (l.startsWith('CHECK ')) Object.assign(r.checks, JSON.parse(l.slice(6)));
      r.timedOut = timedOut;
      r.code = code;
      r.stderr = err;
      r.failed = Object.entries(r.checks).filter(([, v]) => !v.ok).map(([k, v]) => `${k}: ${v.detail}`);
      r.ok = !timedOut && !r.error && line !== undefined && r.failed.length === 0 &&
        Object.keys(r.checks).length > 0;
      // What went wrong, in one string, for matching a failure's signature.
      r.why = [timedOut ? `timed out after ${timeoutMs} ms` : '', r.error || '', ...r.failed, err].join('\n');
      resolve(r);
    });
  });
}
