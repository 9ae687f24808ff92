"""make demo's closing summary: one row per demo that ran (the JSON lines they wrote), the
web page's rows from its benchmark's output when that ran, and how to open the page.

    python3 demo/summary.py [--title TEXT] [--web LOG] SUMMARY.json ...
"""
import argparse
import json
import re
import sys


def rows(paths):
    for p in paths:
        try:
            with open(p) as f:
                yield json.load(f)
        except (OSError, ValueError) as e:
            yield {"runtime": p, "error": str(e)}


def web_rows(log):
    """(mode, workers, serial/pooled) from bench/web_bench.mjs's table, if it printed one."""
    try:
        text = open(log).read()
    except OSError:
        return []
    head = re.search(r"^runtime\s+frames\s+serial\s+pooled\s+serial/pooled.*$", text, re.M)
    if not head:
        return []
    out = []
    for line in text[head.end():].splitlines()[1:]:
        f = line.split()
        if len(f) < 7 or f[0] not in ("serial", "threaded"):
            break
        out.append((f[0], f[6], f[4]))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--web")
    ap.add_argument("--title", default="make demo: summary")
    ap.add_argument("summaries", nargs="*")
    a = ap.parse_args(argv)
    print(f"\n== {a.title} (one run on a shared machine: timings are noisy)")
    print(f"  {'runtime':<44} {'job':<24} {'workers':>7} {'serial ms':>9} {'pool ms':>8} "
          f"{'speed-up':>8}  {'pixels':<9}  package")
    bad = 0
    for r in rows(a.summaries):
        if "error" in r:
            print(f"  {r['runtime']:<44} did not run: {r['error']}")
            bad += 1
            continue
        # No workers: the pool runs every job on the caller, a ratio would be noise.
        speed = f"{r['serial_ms'] / r['pool_ms']:.2f}x" if r["workers"] and r["pool_ms"] else "-"
        pkg = "" if "installed" not in r else "wheel" if r["installed"] else "checkout"
        print(f"  {r['runtime']:<44} {r['job']:<24} {r['workers']:>7} {r['serial_ms']:>9.2f} "
              f"{r['pool_ms']:>8.2f} {speed:>8}  {'identical' if r['identical'] else 'DIFFER':<9}  {pkg}")
        bad += not r["identical"]
    for mode, workers, ratio in web_rows(a.web) if a.web else []:
        page = "web page, " + ("stock Pyodide" if mode == "serial" else "threaded CPython")
        print(f"  {page:<44} {'per-frame resize':<24} {workers:>7} {'':>9} {'':>8} "
              f"{float(ratio):>7.2f}x  (table above)")
    if a.web:
        print("  Open the page yourself: make web-serve, then http://127.0.0.1:8765/ (stock Pyodide)\n"
              "  or http://127.0.0.1:8765/?mode=threaded (the threaded CPython: C threads on Wasm)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
