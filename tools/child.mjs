// child.mjs - the one way our runners start a child process and read its answer. The
// child prints "CHECK {label: {ok, detail}}" lines as it goes (so a hang still leaves what
// was checked) and one "RESULT {...}" line at the end. A child that outlives timeoutMs is
// killed (a hang inside C blocks its event loop for good: only a kill ends it).
import { spawn } from 'node:child_process';
import { writeSync } from 'node:fs';

// Resolves {code, signal, stdout, stderr, timedOut, ms, result, checks, failed, ok, why};
// never rejects. result: the RESULT object (null if none came); checks: every CHECK merged
// (and result.checks); failed: "label: detail" of each failed check; ok: a RESULT came,
// no error in it, at least one check, none failed, no time-out.
export function runChild(cmd, args, { env = process.env, cwd, timeoutMs = 60000, echo = false } = {}) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '', timedOut = false;
    child.stdout.on('data', (d) => { stdout += d; if (echo) process.stdout.write(d); });
    child.stderr.on('data', (d) => { stderr += d; if (echo) process.stderr.write(d); });
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
    child.on('error', (e) => { stderr += String(e); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const r = { code, signal, stdout, stderr, timedOut, ms: Date.now() - t0 };
      Object.assign(r, parseOutput(stdout));
      r.failed = Object.entries(r.checks).filter(([, v]) => !v.ok).map(([k, v]) => `${k}: ${v.detail}`);
      const error = r.result && r.result.error;
      r.ok = !timedOut && r.result !== null && !error && r.failed.length === 0 &&
        Object.keys(r.checks).length > 0;
      // What went wrong, in one string, for matching a failure's signature.
      r.why = [timedOut ? `timed out after ${timeoutMs} ms` : '', error || '', ...r.failed, stderr].join('\n');
      resolve(r);
    });
  });
}

// {result, checks} from a child's output.
export function parseOutput(text) {
  let result = null;
  const checks = {};
  for (const l of text.split('\n')) {
    if (l.startsWith('CHECK ')) Object.assign(checks, JSON.parse(l.slice(6)));
    else if (l.startsWith('RESULT ')) result = JSON.parse(l.slice(7));
  }
  if (result && result.checks) Object.assign(checks, result.checks);
  return { result, checks };
}

// The child's side. Synchronous writes: a later hang gets the process killed, and what
// was written before must already be out.
export function reportCheck(label, check) {
  writeSync(1, `CHECK ${JSON.stringify({ [label]: check })}\n`);
}
export function reportResult(result) {
  writeSync(1, `RESULT ${JSON.stringify(result)}\n`);
}
