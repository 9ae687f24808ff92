"""Reference for the browser test: resizes one rectangle of the scene natively and compares
it with the PNG the page's canvas produced, twice:
- OpenCV's cv2.resize (INTER_AREA / INTER_LINEAR): the engine promises its semantics within
  1 LSB;
- warmpool itself, natively (build/native/libwarmpool.so through python/warmpool, the same
  pixels3d + alpha views as web/demo.py): the Wasm build must match it bit for bit.

    /usr/bin/python3 reference.py SCENE.bgra SW SH CANVAS.png X0 Y0 W H FILTER

Prints JSON: the canvas size, the largest per-channel difference to each reference and how
many channel values differ from cv2 by more than 1.
"""
import json
import os
import sys

import cv2
import numpy as np

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def native_warmpool(scene, sw, x0, y0, w, h, dw, dh, filt):
    sys.path.insert(0, os.path.join(REPO, "python"))
    import warmpool
    src = bytearray(scene.tobytes())
    dst = bytearray(dw * dh * 4)
    at = (y0 * sw + x0) * 4
    Image = warmpool.Image
    warmpool.resize((Image(src, (w, h, 3), (4, 4 * sw, -1), at + 2),
                     Image(src, (w, h), (4, 4 * sw), at + 3)),
                    (Image(dst, (dw, dh, 3), (4, 4 * dw, -1), 2),
                     Image(dst, (dw, dh), (4, 4 * dw), 3)), filter=filt)
    return np.frombuffer(bytes(dst), np.uint8).reshape(dh, dw, 4)


def main():
    scene, sw, sh, png, x0, y0, w, h, filt = sys.argv[1:10]
    sw, sh, x0, y0, w, h = map(int, (sw, sh, x0, y0, w, h))
    whole = np.fromfile(scene, np.uint8).reshape(sh, sw, 4)
    src = whole[y0:y0 + h, x0:x0 + w, :3]
    got = cv2.imread(png, cv2.IMREAD_UNCHANGED)
    if got is None:
        raise SystemExit(f"cannot read {png}")
    dh, dw = got.shape[:2]
    interp = {"area": cv2.INTER_AREA, "bilinear": cv2.INTER_LINEAR}[filt]
    ref = cv2.resize(np.ascontiguousarray(src), (dw, dh), interpolation=interp)
    diff = np.abs(got[..., :3].astype(np.int16) - ref.astype(np.int16))
    mine = native_warmpool(whole, sw, x0, y0, w, h, dw, dh, filt)
    diff_native = np.abs(got[..., :3].astype(np.int16) - mine[..., :3].astype(np.int16))
    out = {"width": dw, "height": dh, "max_diff": int(diff.max()),
           "max_diff_native": int(diff_native.max()),
           "pixels_over_1": int((diff > 1).sum()), "alpha_min": int(got[..., 3].min())
           if got.shape[2] == 4 else 255}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
