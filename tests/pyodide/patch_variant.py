"""Test helper: applies pyodide-patches/wpatch.py with the patch set(s) given, leaving out
one patch, so a test can show that each patch is needed.

    patch_variant.py IN OUT --set pyodide [--without NAME]
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
    a = ap.parse_args()
    reg = wpatch.load_registry()
    names = [p.name for p in reg.patches]
    if a.without and a.without not in names:
        sys.exit(f"no patch named {a.without}")
    reg.patches = [p for p in reg.patches if p.name != a.without]
    return wpatch.run(a.src, a.out, sets=a.sets, reg=reg, quiet=True)


if __name__ == "__main__":
    sys.exit(main())
