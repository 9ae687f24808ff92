"""The ctypes mirrors in python/warmpool match the C structs of the build they load
(tests/layout/layout.c, built natively, prints the C layout)."""
import ctypes
import json
import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))
import importlib

# By module, not attribute: the package exports functions named like some modules.
pool, resize, trace = (importlib.import_module("warmpool." + m) for m in ("pool", "resize", "trace"))

MIRRORS = {"warmpool_options": pool._Options, "warmpool_stats": pool._Stats,
           "warmpool_image": resize._CImage, "warmpool_trace_event": trace._Event,
           "warmpool_trace_thread": trace._Thread}


def c_layout():
    exe = os.environ.get("LAYOUT_BIN") or os.path.join(HERE, "..", "..", "build", "native", "layout")
    return json.loads(subprocess.run([exe], check=True, capture_output=True, text=True).stdout)


def mismatches(c, mirror):
    """What differs between a C struct's layout and a ctypes Structure, in words."""
    out = []
    if ctypes.sizeof(mirror) != c["size"]:
        out.append(f"size: C {c['size']}, mirror {ctypes.sizeof(mirror)}")
    names = [f[0] for f in mirror._fields_]
    for name, (off, size) in c["fields"].items():
        if name not in names:
            out.append(f"{name}: in C, not in the mirror")
            continue
        d = getattr(mirror, name)
        if (d.offset, d.size) != (off, size):
            out.append(f"{name}: C at {off} ({size} bytes), mirror at {d.offset} ({d.size})")
    out += [f"{n}: in the mirror, not in C" for n in names if n not in c["fields"]]
    return out


class Layout(unittest.TestCase):
    def test_every_mirror_matches_c(self):
        c = c_layout()
        self.assertEqual(c["pointer"], ctypes.sizeof(ctypes.c_void_p))
        for name, mirror in MIRRORS.items():
            with self.subTest(struct=name):
                self.assertEqual(mismatches(c[name], mirror), [])

    def test_a_field_added_in_c_only_is_caught(self):
        c = c_layout()["warmpool_stats"]
        grown = {"size": c["size"] + 8, "fields": dict(c["fields"], new_counter=[c["size"], 8])}
        self.assertEqual(mismatches(grown, pool._Stats),
                         [f"size: C {c['size'] + 8}, mirror {c['size']}",
                          "new_counter: in C, not in the mirror"])


if __name__ == "__main__":
    unittest.main()
