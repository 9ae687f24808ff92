"""Zips directories without compression: the threaded CPython has no zlib, and zipfile
and zipimport read stored members without it (Pyodide reads either).

    /usr/bin/python3 web/tools/zip_stored.py OUT.zip BASE DIR...   (names relative to BASE)
"""
import os
import sys
import zipfile


def main():
    out, base, dirs = sys.argv[1], sys.argv[2], sys.argv[3:]
    with zipfile.ZipFile(out + ".tmp", "w", zipfile.ZIP_STORED) as z:
        for d in dirs:
            for root, subdirs, files in os.walk(os.path.join(base, d)):
                subdirs[:] = sorted(s for s in subdirs if s != "__pycache__")
                for f in sorted(files):
                    if not f.endswith((".pyc", ".so")):
                        full = os.path.join(root, f)
                        z.write(full, os.path.relpath(full, base))
    os.replace(out + ".tmp", out)


if __name__ == "__main__":
    main()
