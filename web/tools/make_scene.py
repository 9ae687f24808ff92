"""Writes the demo's source picture as raw BGRA bytes (a pygame surface's pixel buffer).

Run at build time by Debian's /usr/bin/python3 (numpy + OpenCV). The page loads the bytes
as they are, and the browser test reads the same file for its reference resize, so the
picture only has to be deterministic, not pretty - but fine detail (grid lines, text)
makes a wrong filter or an off-by-one stride visible at once.

    /usr/bin/python3 web/tools/make_scene.py OUT.bgra WIDTH HEIGHT
"""
import sys

import cv2
import numpy as np


def scene(w, h):
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    img = np.zeros((h, w, 4), np.uint8)  # B, G, R, A as in a 32-bit pygame surface
    img[..., 0] = (255 * x / max(w - 1, 1)).astype(np.uint8)
    img[..., 1] = (128 + 127 * np.sin(x / 37.0) * np.cos(y / 23.0)).astype(np.uint8)
    img[..., 2] = (255 * y / max(h - 1, 1)).astype(np.uint8)
    img[..., 3] = 255
    img[::32, :, :3] = 255
    img[:, ::32, :3] = 255
    for i in range(12):
        c = (int(w * (i + 0.5) / 12), int(h * (0.5 + 0.35 * np.sin(i))))
        cv2.circle(img, c, 20 + 7 * i, (40 * i % 256, 255 - 20 * i, 90, 255), 3, cv2.LINE_AA)
    for i, text in enumerate(("warmpool", "ctypes.CDLL", "pixels3d (4, 4W, -1)")):
        cv2.putText(img, text, (40, 120 + 180 * i), cv2.FONT_HERSHEY_SIMPLEX, 3.0,
                    (20, 20, 20, 255), 6, cv2.LINE_AA)
    img[..., 3] = 255  # opaque: the canvas shows alpha as is
    return img


def main():
    out, w, h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    with open(out, "wb") as f:
        f.write(scene(w, h).tobytes())


if __name__ == "__main__":
    main()
