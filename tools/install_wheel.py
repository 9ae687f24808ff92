"""Installs a wheel with the standard library only, for Python runtimes without pip such
as the threaded CPython-on-Wasm (which has no zlib either: its wheel is stored, and a
deflated one is refused here with a clear message).

    python tools/install_wheel.py [--ignore-tags] --target DIR WHEEL

Checks the wheel's platform tags against this runtime (emscripten_X_Y_Z_wasm32 from the
Emscripten version that built it; natively, any tag passes: use pip there), refuses
anything it would have to place outside DIR (.data/ directories), verifies every file
against RECORD, then unpacks into DIR (put DIR on sys.path).
"""
import argparse
import base64
import csv
import hashlib
import io
import os
import sys
import zipfile


class InstallError(Exception):
    pass


def runtime_platforms():
    """Platform tags this runtime accepts, or None when unknown (not Emscripten)."""
    info = getattr(sys, "_emscripten_info", None)
    if info is None:
        return None
    return {"emscripten_{}_{}_{}_wasm32".format(*info.emscripten_version)}


def wheel_platforms(name):
    parts = os.path.basename(name)[:-len(".whl")].split("-")
    if len(parts) < 5:
        raise InstallError(f"{name}: not a wheel file name")
    return set(parts[-1].split("."))


def _digest(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def install(wheel, target, ignore_tags=False):
    want = runtime_platforms()
    have = wheel_platforms(wheel)
    if not ignore_tags and want is not None and not (want & have):
        raise InstallError(f"{os.path.basename(wheel)} is for {', '.join(sorted(have))}; "
                           f"this runtime takes {', '.join(sorted(want))}")
    with zipfile.ZipFile(wheel) as z:
        infos = [i for i in z.infolist() if not i.is_dir()]
        deflated = [i.filename for i in infos if i.compress_type != zipfile.ZIP_STORED]
        if deflated:
            try:
                import zlib  # noqa: F401
            except ImportError:
                raise InstallError(f"{wheel}: {deflated[0]} is compressed and this runtime has "
                                   "no zlib: it needs a stored wheel") from None
        records = [i.filename for i in infos if i.filename.endswith(".dist-info/RECORD")]
        if len(records) != 1:
            raise InstallError(f"{wheel}: expected one .dist-info/RECORD, found {records}")
        rows = {r[0]: r[1] for r in csv.reader(io.StringIO(z.read(records[0]).decode()))}
        data = [i.filename for i in infos if i.filename.split("/", 1)[0].endswith(".data")]
        if data:
            raise InstallError(f"{wheel}: {data[0]} would go outside the target directory")
        files = {}
        for i in infos:
            blob = z.read(i)
            if i.filename != records[0] and rows.get(i.filename) != _digest(blob):
                raise InstallError(f"{wheel}: {i.filename} does not match RECORD")
            files[i.filename] = blob
    for name, blob in files.items():
        dest = os.path.join(target, *name.split("/"))
        if not os.path.realpath(dest).startswith(os.path.realpath(target) + os.sep):
            raise InstallError(f"{wheel}: {name} escapes the target directory")
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest, "wb") as f:
            f.write(blob)
    return sorted(files)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--target", required=True)
    ap.add_argument("--ignore-tags", action="store_true",
                    help="install even if no platform tag fits this runtime")
    ap.add_argument("wheel")
    a = ap.parse_args(argv)
    try:
        names = install(a.wheel, a.target, a.ignore_tags)
    except (InstallError, zipfile.BadZipFile, OSError) as e:
        print(f"install_wheel: {e}", file=sys.stderr)
        return 1
    print(f"installed {os.path.basename(a.wheel)} into {a.target} ({len(names)} files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
