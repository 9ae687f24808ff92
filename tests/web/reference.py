"""Reference for the browser test: resizes one rectangle of the scene natively with OpenCV
and compares it with the PNG the page's canvas produced.

    /usr/bin/python3 reference.py SCENE.bgra SW SH CANVAS.png X0 Y0 W H FILTER

Prints JSON: the canvas size, the largest per-channel difference and how many channel
values differ by more than 1 (issue 7 promises cv2 semantics within 1 LSB).
"""
import json
import sys

import cv2
import numpy as np


def main():
    scene, sw, sh, png, x0, y0, w, h, filt = sys.argv[1:10]
    sw, sh, x0, y0, w, h = map(int, (sw, sh, x0, y0, w, h))
    src = np.fromfile(scene, np.uint8).reshape(sh, sw, 4)[y0:y0 + h, x0:x0 + w, :3]
    got = cv2.imread(png, cv2.IMREAD_UNCHANGED)
    if got is None:
        raise SystemExit(f"cannot read {png}")
    dh, dw = got.shape[:2]
    interp = {"area": cv2.INTER_AREA, "bilinear": cv2.INTER_LINEAR}[filt]
    ref = cv2.resize(np.ascontiguousarray(src), (dw, dh), interpolation=interp)
    diff = np.abs(got[..., :3].astype(np.int16) - ref.astype(np.int16))
    out = {"width": dw, "height": dh, "max_diff": int(diff.max()),
           "pixels_over_1": int((diff > 1).sum()), "alpha_min": int(got[..., 3].min())
           if got.shape[2] == 4 else 255}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
