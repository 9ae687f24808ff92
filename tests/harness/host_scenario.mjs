// host_scenario.mjs - runs one scenario of scenarios.mjs in a child Node process
// (tools/child.mjs: a hard timeout, CHECK lines and a RESULT line).
import path from 'node:path';
import { BUILD } from '../../pyodide-patches/host/host_api.mjs';
import { runChild } from '../../tools/child.mjs';

const HERE = path.dirname(new URL(import.meta.url).pathname);
export const HOST = path.join(BUILD, 'host');
export const PATCHED = path.join(BUILD, 'host-patched');

export async function runScenario(name, hostDir, { lib, timeoutMs = 30000, env = {} } = {}) {
  const args = ['--no-experimental-fetch', path.join(HERE, 'scenarios.mjs'), name, hostDir];
  if (lib) args.push(lib);
  const r = await runChild(process.execPath, args, { env: { ...process.env, ...env }, timeoutMs });
  r.error = r.result && r.result.error;
  return r;
}
