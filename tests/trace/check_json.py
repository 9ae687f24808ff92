"""Checks a tracer JSON file: it parses, B/E events nest per thread, timestamps never go
back, and the expected functions and threads are named (absent ones are not).
usage: check_json.py FILE [--names a,b] [--threads x,y] [--absent c,d] [--src golden.c:]
       [--chunks BEGIN,END,GRAIN]"""
import argparse
import json
import sys
from collections import defaultdict

ap = argparse.ArgumentParser()
ap.add_argument("file")
ap.add_argument("--names", default="")
ap.add_argument("--threads", default="")
ap.add_argument("--absent", default="")
ap.add_argument("--src", action="append", default=[])
ap.add_argument("--chunks", default="")
a = ap.parse_args()
passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL", what)


with open(a.file) as f:
    doc = json.load(f)
events = doc["traceEvents"]
check(isinstance(events, list) and events, "traceEvents is a non-empty list")

stacks, last_ts, bad_nest, bad_ts = defaultdict(list), {}, [], []
names, srcs, threads, chunks = set(), set(), {}, defaultdict(int)
for e in events:
    ph, key = e["ph"], (e["pid"], e["tid"])
    if ph == "M":
        if e["name"] == "thread_name":
            threads[key] = e["args"]["name"]
        continue
    ts = float(e["ts"])
    if ts < last_ts.get(key, ts):
        bad_ts.append(e)
    last_ts[key] = ts
    if ph == "B":
        stacks[key].append(e)
        names.add(e["name"])
        if "src" in e.get("args", {}):
            srcs.add(e["args"]["src"])
        if e["name"] == "chunk" and "begin" in e["args"]:
            chunks[(e["args"]["begin"], e["args"]["end"])] += 1
    elif ph == "E":
        if not stacks[key] or float(stacks[key].pop()["ts"]) > ts:
            bad_nest.append(e)
    else:
        check(ph == "i", "only B, E, i and M events (got %r)" % ph)
check(not bad_nest, "every E closes an earlier B of its thread (%d bad)" % len(bad_nest))
check(all(not s for s in stacks.values()), "every B is closed")
check(not bad_ts, "timestamps never go back within a thread (%d bad)" % len(bad_ts))
check(all(k in threads for k in stacks), "every thread has a thread_name")
for n in filter(None, a.names.split(",")):
    check(n in names, "function %s is named" % n)
for n in filter(None, a.absent.split(",")):
    check(not any(x == n or x.startswith(n) for x in names), "%s does not appear" % n)
for n in filter(None, a.threads.split(",")):
    check(n in threads.values(), "thread %s is named" % n)
for want in a.src:
    check(any(want in s for s in srcs), "a source line mentions %s" % want)
if a.chunks:
    b, end, g = map(int, a.chunks.split(","))
    want = {(i, min(i + g, end)) for i in range(b, end, g)}
    check(set(chunks) == want and all(v == 1 for v in chunks.values()),
          "every chunk of [%d,%d) appears exactly once" % (b, end))
print("%s: %d events, %d threads" % (a.file, len(events), len(threads)))
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
