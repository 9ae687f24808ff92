"""Writes build/web/manifest.json, which tells the page what build/web/ holds: the stock
Pyodide versions (key -> directory and exact version, read from each copy's package.json),
the default one, and which warmpool package each runtime installs, and how.

    /usr/bin/python3 web/tools/manifest.py WEB_DIR OUT.json --default KEY \
        --pyodide KEY=DIR/ ... --package RUNTIME=KIND=URL ...

KIND is "zip" (a stored zip of the package, unpacked by the worker) or "wheel" (installed
by URL: pyodide.loadPackage in Pyodide, unzipped in the threaded CPython). URLs are
relative to build/web/. The file is rewritten only when its content changes.
"""
import argparse
import json
import os

KINDS = ("zip", "wheel")
RUNTIMES = ("pyodide", "threaded")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("web_dir")
    ap.add_argument("out")
    ap.add_argument("--default", required=True)
    ap.add_argument("--pyodide", action="append", default=[], metavar="KEY=DIR/")
    ap.add_argument("--package", action="append", default=[], metavar="RUNTIME=KIND=URL")
    a = ap.parse_args()
    pyodide = {}
    for spec in a.pyodide:
        key, _, d = spec.partition("=")
        if not key or not d.endswith("/"):
            ap.error(f"--pyodide {spec!r}: want KEY=DIR/")
        pkg = os.path.join(a.web_dir, d, "package.json")
        try:
            with open(pkg, encoding="utf-8") as f:
                version = json.load(f)["version"]
        except (OSError, ValueError, KeyError) as e:
            raise SystemExit(f"manifest: {pkg}: no Pyodide version ({e})")
        pyodide[key] = {"dir": d, "version": version}
    if a.default not in pyodide:
        ap.error(f"--default {a.default!r} is not one of {sorted(pyodide)}")
    packages = {}
    for spec in a.package:
        parts = spec.split("=", 2)
        if len(parts) != 3 or parts[0] not in RUNTIMES or parts[1] not in KINDS or not parts[2]:
            ap.error(f"--package {spec!r}: want RUNTIME=KIND=URL, RUNTIME in {RUNTIMES}, KIND in {KINDS}")
        if not os.path.isfile(os.path.join(a.web_dir, parts[2])):
            raise SystemExit(f"manifest: {parts[2]} is not in {a.web_dir}")
        packages[parts[0]] = {"kind": parts[1], "url": parts[2]}
    missing = [r for r in RUNTIMES if r not in packages]
    if missing:
        ap.error("no --package for " + ", ".join(missing))
    text = json.dumps({"pyodide": pyodide, "defaultPyodide": a.default, "package": packages},
                      indent=1) + "\n"
    try:
        with open(a.out, encoding="utf-8") as f:
            if f.read() == text:
                return
    except OSError:
        pass
    with open(a.out + ".tmp", "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(a.out + ".tmp", a.out)
    versions = ", ".join("%s (%s)" % (k, v["version"]) for k, v in pyodide.items())
    pkgs = ", ".join("%s %s %s" % (r, p["kind"], p["url"]) for r, p in packages.items())
    print(f"manifest: {a.out}: Pyodide {versions}, default {a.default}; package: {pkgs}")


if __name__ == "__main__":
    main()
