"""Test helper: applies pyodide-patches/wpatch.py with the patch set(s) given, leaving out
one patch (so a test can show that each patch is needed) or keeping only one (so a test
can show what a runtime needs without the others).

    patch_variant.py IN OUT --set pyodide [--without NAME | --only NAME]
"""
import argparse
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "pyodide-patches"))
import wpatch  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("src")
    ap.add_argument("out")
    ap.add_argument("--set", action="append", dest="sets")
    ap.add_argument("--without")
    ap.add_argument("--only")
    a = ap.parse_args()
    reg = wpatch.load_registry()
    names = [p.name for p in reg.patches]
    for n in (a.without, a.only):
        if n and n not in names:
            sys.exit(f"no patch named {n}")
    reg.patches = [p for p in reg.patches
                   if p.name != a.without and (not a.only or p.name == a.only)]
    return wpatch.run(a.src, a.out, sets=a.sets, reg=reg, quiet=True)


if __name__ == "__main__":
    sys.exit(main())
