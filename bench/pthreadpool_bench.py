"""Our pthreadpool layer next to Debian's pthreadpool, same calls, 2 threads.

Runs bench/pthreadpool_bench.c built both ways, and the XNNPACK program
(tests/pthreadpool/xnnpack_ops.c) with our libpthreadpool.so.0 and with Debian's,
alternating the two in every round; prints the median ns per call over rounds and
ours / Debian's (< 1: we are faster). Numbers are only comparable within one run.

  pthreadpool_bench.py OURS DEBIAN XNNPACK_OPS OUR_LIB_DIR [--rounds N]
"""
import os
import statistics
import subprocess
import sys


def rows(cmd, env=None):
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)
    if run.returncode:
        sys.exit(f"pthreadpool bench: {' '.join(cmd)} failed:\n{run.stdout}{run.stderr}")
    out = run.stdout
    got = {}
    for line in out.splitlines():
        if line.startswith("ROW "):
            name, ns = line[4:].rsplit("\t", 1)
            got[name] = float(ns)
        elif line.startswith("FLOOR "):
            name, ns = line[6:].rsplit("\t", 1)
            got["_floor " + name] = float(ns)
        elif line.startswith("bench: "):
            name, ns = line[7:].rsplit(" ", 1)
            got["XNNPACK " + name + " (2 threads)"] = float(ns)
        elif line.startswith("library: "):
            got["_library"] = line.split()[1]
    return got


def main():
    ours, debian, xnn, libdir = sys.argv[1:5]
    n = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 5
    env_ours = dict(os.environ, LD_LIBRARY_PATH=libdir)
    env_deb = {k: v for k, v in os.environ.items() if k != "LD_LIBRARY_PATH"}
    res = {"ours": {}, "debian": {}}
    for r in range(n):
        order = [("ours", [ours], None), ("debian", [debian], None)]
        xorder = [("ours", env_ours), ("debian", env_deb)]
        if r % 2:
            order.reverse()
            xorder.reverse()
        for who, cmd, env in order:
            for k, v in rows(cmd + ["--ms", "30"], env).items():
                res[who].setdefault(k, []).append(v)
        for who, env in xorder:
            got = rows([xnn, "--threads", "2", "--bench", "200"], env)
            if got.pop("_library") != ("warmpool" if who == "ours" else "other"):
                sys.exit("pthreadpool bench: the loader picked the wrong libpthreadpool.so.0")
            for k, v in got.items():
                res[who].setdefault(k, []).append(v)
    print(f"{'call (2 threads), median ns/call over %d rounds' % n:<48} {'ours':>9} {'Debian':>9} {'ours/Debian':>11} {'floor':>9} {'ours/floor':>10}")
    for k in res["ours"]:
        if k.startswith("_"):
            continue
        a, b = statistics.median(res["ours"][k]), statistics.median(res["debian"][k])
        fl = res["ours"].get("_floor " + k, []) + res["debian"].get("_floor " + k, [])
        f = statistics.median(fl) if fl else None
        tail = f" {f:>9.0f} {a / f:>10.2f}" if f else f" {'-':>9} {'-':>10}"
        print(f"{k:<48} {a:>9.0f} {b:>9.0f} {a / b:>11.2f}{tail}")
    print("floor: the same tiles on one thread, each after one atomic claim, halved: the least 2 threads")
    print("can take when every tile is claimed on its own (pthreadpool's contract: any item may wait for")
    print("the others) and the hand-off is free. Fine rows sit near it: the claim and the call are the cost.")


if __name__ == "__main__":
    main()
