#!/usr/bin/env python3
"""wpatch: post-link patches for the JavaScript that Emscripten emits for a -pthread main
module (our Node test host, a threaded Pyodide's pyodide.asm.js).

    wpatch.py [--check] [--set NAME]... [--list] FILE [-o OUT]

Patches are data (see Patch below), grouped in sets: every `*_set.py` beside this file is
imported and its `register(api)` adds shapes and patches. A file is first classified into
one *shape* (the Emscripten version/optimisation family whose text the anchors were written
against); then every patch of the chosen sets that supports that shape is applied.

Guarantees:
- All or nothing: every anchor of every patch still to apply is located first; if one is
  missing (or matches more often than it should), nothing is written and every problem is
  listed. The result is syntax-checked with `node --check` (when node is on PATH) and
  written to a temporary file that is renamed over the target: never a half-patched file.
- Idempotent: each replacement carries a marker /*wpatch:NAME*/; a patch whose marker is
  present is skipped, so a second run changes nothing.
- --check reads only: it prints, per patch, applied / ready (anchor found) / MISSING.

Exit status: 0 done (or --check: fully patched), 1 --check: anchors found but not yet
patched, 2 an anchor is missing, the file's shape is unknown, or another error.
"""
import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
MARK = "/*wpatch:{}*/"


@dataclass
class Shape:
    """A family of runtime text: detected by `detect` (a regex that must match)."""
    name: str
    detect: str
    doc: str = ""
    priority: int = 0  # the highest-priority matching shape wins


@dataclass
class Patch:
    """One edit. `anchor` is a regex searched in the whole file (re.S not set: use
    [\\s\\S] to cross lines); `replacement` is a re template (\\g<0> is the whole match,
    \\g<name> a group) that must contain {MARK}, which becomes /*wpatch:NAME*/.
    `count`: how many matches are required: an int, or "+" for one or more (all replaced).
    `files`: which file of the build it applies to, matched against the file name
    ("main": anything that is not a worker script; "worker": *.worker.js)."""
    name: str
    set: str
    shapes: tuple
    anchor: str
    replacement: str
    doc: str = ""
    count: object = 1
    files: str = "main"
    flags: int = 0

    def marker(self):
        return MARK.format(self.name)


@dataclass
class Registry:
    shapes: dict = field(default_factory=dict)
    patches: list = field(default_factory=list)

    def shape(self, name, detect, doc="", priority=0):
        self.shapes[name] = Shape(name, detect, doc, priority)

    def patch(self, **kw):
        p = Patch(**kw)
        for s in p.shapes:
            if s not in self.shapes:
                raise ValueError(f"patch {p.name}: unknown shape {s}")
        if any(q.name == p.name for q in self.patches):
            raise ValueError(f"patch {p.name} registered twice")
        if "{MARK}" not in p.replacement:
            raise ValueError(f"patch {p.name}: replacement has no {{MARK}}")
        self.patches.append(p)


class API:
    """What a *_set.py's register(api) gets."""
    Shape, Patch, MARK = Shape, Patch, MARK
    here = HERE

    def __init__(self, reg):
        self._reg = reg

    def shape(self, *a, **kw):
        self._reg.shape(*a, **kw)

    def patch(self, **kw):
        self._reg.patch(**kw)

    @staticmethod
    def read(name):
        """Text of a file beside the tool (e.g. a JS runtime snippet)."""
        with open(os.path.join(HERE, name), encoding="utf-8") as f:
            return f.read()


def load_registry(directory=HERE):
    reg = Registry()
    api = API(reg)
    # Sets that define shapes come first (emscripten_set), then the rest by name.
    names = sorted(n for n in os.listdir(directory) if n.endswith("_set.py"))
    names.sort(key=lambda n: (n != "emscripten_set.py", n))
    for n in names:
        spec = importlib.util.spec_from_file_location("wpatch_" + n[:-3], os.path.join(directory, n))
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        mod.register(api)
    return reg


def classify(reg, text):
    found = [s for s in reg.shapes.values() if re.search(s.detect, text)]
    if not found:
        return None
    return max(found, key=lambda s: s.priority)


def file_kind(path):
    return "worker" if path.endswith(".worker.js") else "main"


class PatchError(Exception):
    pass


def plan(reg, text, path, sets=None):
    """Returns (shape, [(patch, state, matches)]) with state in applied/ready/missing/ambiguous."""
    shape = classify(reg, text)
    if shape is None:
        known = ", ".join(sorted(reg.shapes))
        raise PatchError(f"{path}: not a runtime shape this tool knows ({known})")
    kind = file_kind(path)
    rows = []
    for p in reg.patches:
        if shape.name not in p.shapes or p.files != kind:
            continue
        if sets and p.set not in sets:
            continue
        if p.marker() in text:
            rows.append((p, "applied", []))
            continue
        ms = list(re.finditer(p.anchor, text, p.flags))
        if not ms:
            state = "missing"
        elif p.count == "+" or len(ms) == p.count:
            state = "ready"
        else:
            state = "ambiguous"
        rows.append((p, state, ms))
    return shape, rows


def apply(text, rows):
    """Applies every ready patch; anchors were all found in the original text, and each
    edit is re-located in the text as it is after the previous edits."""
    for p, state, _ in rows:
        if state != "ready":
            continue
        repl = p.replacement.replace("{MARK}", p.marker())
        n = 0 if p.count == "+" else p.count
        new, k = re.subn(p.anchor, lambda m: m.expand(repl), text, count=n, flags=p.flags)
        if k == 0 or (p.count != "+" and k != p.count):
            raise PatchError(f"patch {p.name}: anchor no longer matches after earlier patches")
        text = new
    return text


def syntax_check(path):
    node = shutil.which("node")
    if not node:
        return None
    r = subprocess.run([node, "--check", path], capture_output=True, text=True)
    if r.returncode:
        return r.stderr.strip().splitlines()[:6]
    return None


def run(path, out=None, check=False, sets=None, reg=None, quiet=False, syntax=True):
    """Patches (or checks) one file. Returns the exit status; prints a report."""
    reg = reg or load_registry()
    say = (lambda *a: None) if quiet else print
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        shape, rows = plan(reg, text, path, sets)
    except PatchError as e:
        print(f"wpatch: {e}", file=sys.stderr)
        return 2
    say(f"{path}: shape {shape.name} ({shape.doc})")
    for p, state, ms in rows:
        extra = f" x{len(ms)}" if state in ("ready", "ambiguous") and len(ms) != 1 else ""
        say(f"  {state.upper() if state in ('missing', 'ambiguous') else state:9} {p.set}/{p.name}{extra}")
    bad = [(p, s) for p, s, _ in rows if s in ("missing", "ambiguous")]
    if not rows:
        print(f"wpatch: {path}: no patch of the chosen sets applies to shape {shape.name}",
              file=sys.stderr)
        return 2
    if bad:
        for p, s in bad:
            what = "not found" if s == "missing" else "matched the wrong number of times"
            print(f"wpatch: {path}: anchor of {p.set}/{p.name} {what}: /{p.anchor}/",
                  file=sys.stderr)
        print(f"wpatch: {path}: {len(bad)} anchor(s) missing; file left untouched",
              file=sys.stderr)
        return 2
    todo = [p for p, s, _ in rows if s == "ready"]
    if check:
        say(f"{path}: {'fully patched' if not todo else f'{len(todo)} patch(es) to apply'}")
        return 1 if todo else 0
    target = out or path
    if not todo:
        if target != path:
            shutil.copyfile(path, target)
        say(f"{target}: already patched, nothing to do")
        return 0
    try:
        new = apply(text, rows)
    except PatchError as e:
        print(f"wpatch: {e}; file left untouched", file=sys.stderr)
        return 2
    d = os.path.dirname(os.path.abspath(target))
    fd, tmp = tempfile.mkstemp(prefix=".wpatch-", suffix=".js", dir=d)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(new)
        if syntax:
            err = syntax_check(tmp)
            if err:
                raise PatchError("patched text does not parse: " + " | ".join(err))
        if os.path.exists(path):
            shutil.copymode(path, tmp)
        os.replace(tmp, target)
    except Exception as e:
        if os.path.exists(tmp):
            os.unlink(tmp)
        print(f"wpatch: {e}; file left untouched", file=sys.stderr)
        return 2
    say(f"{target}: applied {', '.join(p.name for p in todo)}")
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file", nargs="?")
    ap.add_argument("-o", "--output", help="write here instead of patching FILE in place")
    ap.add_argument("--check", action="store_true", help="report the state, write nothing")
    ap.add_argument("--set", action="append", dest="sets",
                    help="only patches of this set (repeatable; default: every set)")
    ap.add_argument("--list", action="store_true", help="list shapes and patches")
    ap.add_argument("--no-syntax-check", action="store_true")
    a = ap.parse_args(argv)
    reg = load_registry()
    if a.list:
        for s in reg.shapes.values():
            print(f"shape {s.name}: {s.doc}")
        for p in reg.patches:
            print(f"patch {p.set}/{p.name} [{', '.join(p.shapes)}] {p.files}: {p.doc}")
        return 0
    if not a.file:
        ap.error("FILE is required")
    return run(a.file, a.output, a.check, a.sets, reg, syntax=not a.no_syntax_check)


if __name__ == "__main__":
    sys.exit(main())
