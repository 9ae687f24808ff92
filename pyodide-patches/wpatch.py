#!/usr/bin/env python3
"""wpatch: post-link patches for the JavaScript that Emscripten emits for a -pthread main
module (our Node test host, a threaded Pyodide's pyodide.asm.js).

    wpatch.py [--check] [--set NAME]... [--only PATCH]... [--list] PATH [-o OUT]

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
- Needed or not: a patch may say which code it targets (`needs`, `needs_not`); when that
  code is absent (e.g. no _dlsym_js: the program never calls dlsym) the patch is reported
  "not needed" with the reason and skipped. A patch whose target is there but whose anchor
  is not (the code changed shape) is MISSING, and the file is refused.
- Line endings are kept (a CRLF file stays CRLF, inserted lines included).
- --check reads only: it prints, per patch, applied / ready (anchor found) / not needed /
  MISSING. On a directory it reports every runtime file in it (*.js, *.mjs).

Exit status: 0 done (or --check: fully patched), 1 --check: anchors found but not yet
patched, 2 an anchor is missing or the file's shape is unknown (the file is left
untouched), 3 bad input: no such path, a directory to patch, a file that is not UTF-8,
an unknown --set or --only name, bad arguments.
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
# Exit statuses (see the module's docstring).
OK, PATCHABLE, REFUSED, BAD_INPUT = 0, 1, 2, 3
# Runtime files --check looks at in a directory.
RUNTIME_SUFFIXES = (".js", ".mjs")


@dataclass
class Shape:
    """A family of runtime text, told apart by version features: every regex of `detect`
    must match and none of `reject`. `features` names each detect regex for the report
    of a file whose shape is unknown."""
    name: str
    detect: tuple
    doc: str = ""
    priority: int = 0  # the highest-priority matching shape wins
    reject: tuple = ()
    features: tuple = ()

    def probe(self, text):
        """[(feature name, found)] for every detect regex, then every reject regex."""
        names = list(self.features) + [f"/{d}/" for d in self.detect[len(self.features):]]
        rows = [(n, bool(re.search(d, text))) for n, d in zip(names, self.detect)]
        rows += [(f"not /{r}/", not re.search(r, text)) for r in self.reject]
        return rows

    def matches(self, text):
        return all(ok for _, ok in self.probe(text))


@dataclass
class Patch:
    """One edit. `anchor` is a regex searched in the whole file (re.S not set: use
    [\\s\\S] to cross lines); `replacement` is a re template (\\g<0> is the whole match,
    \\g<name> a group) that must contain {MARK}, which becomes /*wpatch:NAME*/.
    `count`: how many matches are required: an int, or "+" for one or more (all replaced).
    `files`: which file of the build it applies to, matched against the file name
    ("main": anything that is not a worker script; "worker": *.worker.js).
    `needs` / `needs_not`: (regex, reason) pairs naming the code the patch is about; when
    a `needs` regex does not match (or a `needs_not` one does) the patch is not needed for
    this file and is skipped, its reason reported. Without them a patch is always needed."""
    name: str
    set: str
    shapes: tuple
    anchor: str
    replacement: str
    doc: str = ""
    count: object = 1
    files: str = "main"
    flags: int = 0
    needs: tuple = ()
    needs_not: tuple = ()

    def marker(self):
        return MARK.format(self.name)

    def why_not(self, text):
        """None when the patch is needed for `text`, else the reason it is not."""
        for rx, why in self.needs:
            if not re.search(rx, text, self.flags):
                return why
        for rx, why in self.needs_not:
            if re.search(rx, text, self.flags):
                return why
        return None


@dataclass
class Registry:
    shapes: dict = field(default_factory=dict)
    patches: list = field(default_factory=list)
    # A set's own check that a file is its kind of runtime: {set: (regex, what it is)}.
    runtimes: dict = field(default_factory=dict)

    def shape(self, name, detect, doc="", priority=0, reject=(), features=()):
        if isinstance(detect, str):
            detect = (detect,)
        self.shapes[name] = Shape(name, tuple(detect), doc, priority, tuple(reject), tuple(features))

    def patch(self, **kw):
        p = Patch(**kw)
        for s in p.shapes:
            if s not in self.shapes:
                raise ValueError(f"patch {p.name}: unknown shape {s}")
        if any(q.name == p.name for q in self.patches):
            raise ValueError(f"patch {p.name} registered twice")
        if "{MARK}" not in p.replacement:
            raise ValueError(f"patch {p.name}: replacement has no {{MARK}}")
        p.needs, p.needs_not = tuple(p.needs), tuple(p.needs_not)
        for c in p.needs + p.needs_not:
            if not (isinstance(c, tuple) and len(c) == 2):
                raise ValueError(f"patch {p.name}: needs/needs_not take (regex, reason) pairs")
        self.patches.append(p)

    def sets(self):
        return sorted({p.set for p in self.patches})


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

    def runtime(self, set, detect, what):
        """Files of this set's runtime contain `detect`; `--set NAME` on any other file
        says it is not `what`."""
        self._reg.runtimes[set] = (detect, what)

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
    found = [s for s in reg.shapes.values() if s.matches(text)]
    if not found:
        return None
    return max(found, key=lambda s: s.priority)


def file_kind(path):
    return "worker" if path.endswith(".worker.js") else "main"


class PatchError(Exception):
    pass


class InputError(Exception):
    pass


# Closure (--closure 1) renames every runtime name: none of these survives it, while any
# unminified or whitespace-minified Emscripten output has most of them.
RUNTIME_NAMES = ("wasmTable", "wasmMemory", "HEAPU8", "runtimeInitialized", "addFunction",
                 "ENVIRONMENT_IS_", "loadDynamicLibrary", "locateFile")


def unknown_shape(reg, text, path):
    """The report for a file of no known shape: what each shape looks for, and a hint."""
    lines = [f"{path}: not a runtime shape this tool knows; probed:"]
    for s in sorted(reg.shapes.values(), key=lambda s: s.priority):
        got = ", ".join(f"{n} {'yes' if ok else 'NO'}" for n, ok in s.probe(text))
        lines.append(f"  {s.name} ({s.doc}): {got}")
    names = sum(1 for n in RUNTIME_NAMES if n in text)
    if "WebAssembly" in text and names <= 1:
        lines.append("  the file looks minified by closure (--closure 1 renames every runtime "
                     "name): the tool needs output built without closure")
    elif "WebAssembly" not in text:
        lines.append("  no WebAssembly in it: not Emscripten output")
    elif "loadDynamicLibrary" not in text:
        lines.append("  no loadDynamicLibrary: not a MAIN_MODULE (dynamic linking) build")
    return "\n".join(lines)


def plan(reg, text, path, sets=None, only=None):
    """Returns (shape, [(patch, state, matches)]) with state in
    applied/ready/not-needed/missing/ambiguous (for not-needed, the reason instead of
    the matches)."""
    shape = classify(reg, text)
    if shape is None:
        raise PatchError(unknown_shape(reg, text, path))
    kind = file_kind(path)
    rows = []
    for p in reg.patches:
        if shape.name not in p.shapes or p.files != kind:
            continue
        if sets and p.set not in sets:
            continue
        if only and p.name not in only:
            continue
        if p.marker() in text:
            rows.append((p, "applied", []))
            continue
        why = p.why_not(text)
        if why:
            rows.append((p, "not-needed", why))
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
    edit is re-located in the text as it is after the previous edits. In a CRLF file the
    lines a replacement adds end in CRLF too."""
    crlf = "\r\n" in text
    for p, state, _ in rows:
        if state != "ready":
            continue
        repl = p.replacement.replace("{MARK}", p.marker())
        n = 0 if p.count == "+" else p.count

        def edit(m):
            s = m.expand(repl)
            return re.sub(r"(?<!\r)\n", "\r\n", s) if crlf else s
        new, k = re.subn(p.anchor, edit, text, count=n, flags=p.flags)
        if k == 0 or (p.count != "+" and k != p.count):
            raise PatchError(f"patch {p.name}: anchor no longer matches after earlier patches")
        text = new
    return text


def is_module(path, text):
    """ES module output (.mjs, or -sEXPORT_ES6 into a .js): node must parse it as one."""
    return path.endswith(".mjs") or bool(re.search(r"\bimport\.meta\b|^\s*export\s+default\b", text, re.M))


def syntax_check(path, module=False):
    node = shutil.which("node")
    if not node:
        return None
    if module and not path.endswith(".mjs"):
        with open(path, "rb") as f:
            r = subprocess.run([node, "--input-type=module", "--check"], input=f.read(),
                               capture_output=True)
        err = r.stderr.decode("utf-8", "replace")
    else:
        r = subprocess.run([node, "--check", path], capture_output=True, text=True)
        err = r.stderr
    if r.returncode:
        return err.strip().splitlines()[:6]
    return None


def read_text(path):
    if not os.path.exists(path):
        raise InputError(f"{path}: no such file")
    if os.path.isdir(path):
        raise InputError(f"{path}: is a directory (only --check takes a directory)")
    try:
        with open(path, encoding="utf-8", newline="") as f:
            return f.read()
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: not UTF-8 text (byte {e.start}): not an Emscripten runtime")
    except OSError as e:
        raise InputError(f"{path}: {e.strerror}")


def label(state):
    return {"missing": "MISSING", "ambiguous": "AMBIGUOUS", "not-needed": "not-needed"}.get(state, state)


def run(path, out=None, check=False, sets=None, reg=None, quiet=False, syntax=True, only=None):
    """Patches (or checks) one file. Returns the exit status; prints a report."""
    reg = reg or load_registry()
    say = (lambda *a: None) if quiet else print
    try:
        text = read_text(path)
    except InputError as e:
        print(f"wpatch: {e}", file=sys.stderr)
        return BAD_INPUT
    try:
        shape, rows = plan(reg, text, path, sets, only)
    except PatchError as e:
        print(f"wpatch: {e}", file=sys.stderr)
        return REFUSED
    say(f"{path}: shape {shape.name} ({shape.doc})")
    for p, state, ms in rows:
        extra = f" x{len(ms)}" if state in ("ready", "ambiguous") and len(ms) != 1 else ""
        why = f": {ms}" if state == "not-needed" else ""
        say(f"  {label(state):10} {p.set}/{p.name}{extra}{why}")
    for s in sets or ():
        rt = reg.runtimes.get(s)
        if rt and not re.search(rt[0], text):
            print(f"wpatch: {path}: not {rt[1]}; for other Emscripten runtimes use "
                  f"--set emscripten", file=sys.stderr)
            return REFUSED
    if not rows:
        print(f"wpatch: {path}: no patch of the chosen sets applies to shape {shape.name}",
              file=sys.stderr)
        return REFUSED
    if all(s == "not-needed" for _, s, _ in rows):
        print(f"wpatch: {path}: no patch of the chosen sets is needed here; file left untouched",
              file=sys.stderr)
        return REFUSED
    bad = [(p, s) for p, s, _ in rows if s in ("missing", "ambiguous")]
    if bad:
        for p, s in bad:
            what = "not found" if s == "missing" else "matched the wrong number of times"
            print(f"wpatch: {path}: anchor of {p.set}/{p.name} {what}: /{p.anchor}/",
                  file=sys.stderr)
        print(f"wpatch: {path}: {len(bad)} anchor(s) missing; file left untouched",
              file=sys.stderr)
        return REFUSED
    todo = [p for p, s, _ in rows if s == "ready"]
    if check:
        say(f"{path}: {'fully patched' if not todo else f'{len(todo)} patch(es) to apply'}")
        return PATCHABLE if todo else OK
    target = out or path
    if not todo:
        if target != path:
            shutil.copyfile(path, target)
        say(f"{target}: already patched, nothing to do")
        return OK
    try:
        new = apply(text, rows)
    except PatchError as e:
        print(f"wpatch: {e}; file left untouched", file=sys.stderr)
        return REFUSED
    d = os.path.dirname(os.path.abspath(target))
    # The temporary file keeps the target's suffix: node --check parses .mjs as a module.
    suffix = ".mjs" if target.endswith(".mjs") else ".js"
    fd, tmp = tempfile.mkstemp(prefix=".wpatch-", suffix=suffix, dir=d)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(new)
        if syntax:
            err = syntax_check(tmp, is_module(target, new))
            if err:
                raise PatchError("patched text does not parse: " + " | ".join(err))
        if os.path.exists(path):
            shutil.copymode(path, tmp)
        os.replace(tmp, target)
    except Exception as e:
        if os.path.exists(tmp):
            os.unlink(tmp)
        print(f"wpatch: {e}; file left untouched", file=sys.stderr)
        return REFUSED
    say(f"{target}: applied {', '.join(p.name for p in todo)}")
    return OK


def check_dir(path, sets, reg, only):
    """--check on a directory: every runtime file in it, one report each; the status is
    the worst one (bad input > refused > patchable > fully patched)."""
    files = sorted(os.path.join(path, n) for n in os.listdir(path)
                   if n.endswith(RUNTIME_SUFFIXES) and os.path.isfile(os.path.join(path, n)))
    if not files:
        print(f"wpatch: {path}: no *.js or *.mjs file in it", file=sys.stderr)
        return BAD_INPUT
    worst = OK
    for f in files:
        rc = run(f, check=True, sets=sets, reg=reg, only=only)
        print(f"{f}: status {rc}")
        worst = max(worst, rc)
    return worst


class ArgParser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        print(f"wpatch: {message}", file=sys.stderr)
        sys.exit(BAD_INPUT)


def main(argv=None):
    ap = ArgParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file", nargs="?", metavar="PATH")
    ap.add_argument("-o", "--output", help="write here instead of patching PATH in place")
    ap.add_argument("--check", action="store_true",
                    help="report the state, write nothing (PATH may be a directory)")
    ap.add_argument("--set", action="append", dest="sets",
                    help="only patches of this set (repeatable; default: every set)")
    ap.add_argument("--only", action="append",
                    help="only this patch (repeatable), e.g. --only zero-library-memory")
    ap.add_argument("--list", action="store_true", help="list shapes and patches")
    ap.add_argument("--no-syntax-check", action="store_true")
    a = ap.parse_args(argv)
    reg = load_registry()
    if a.list:
        for s in reg.shapes.values():
            print(f"shape {s.name}: {s.doc}")
        for p in reg.patches:
            print(f"patch {p.set}/{p.name} [{', '.join(p.shapes)}] {p.files}: {p.doc}")
        return OK
    for s in a.sets or ():
        if s not in reg.sets():
            ap.error(f"unknown set {s!r} (known: {', '.join(reg.sets())})")
    names = {p.name for p in reg.patches}
    for n in a.only or ():
        if n not in names:
            ap.error(f"unknown patch {n!r} (see --list)")
    if not a.file:
        ap.error("PATH is required")
    if a.check and os.path.isdir(a.file):
        if a.output:
            ap.error("-o makes no sense with a directory")
        return check_dir(a.file, a.sets, reg, a.only)
    return run(a.file, a.output, a.check, a.sets, reg, syntax=not a.no_syntax_check, only=a.only)


if __name__ == "__main__":
    sys.exit(main())
