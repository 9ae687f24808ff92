/* bilinear.c - linear weights, computed exactly the way OpenCV's cv::resize does
   (float coordinates from double scales, weights rounded to nearest even), so that our
   results match cv2.INTER_LINEAR, and cv2.INTER_AREA when an axis grows. */
#include "resize/resize_internal.h"

#include <math.h>

int rz_linear_taps(int sn) { return sn >= 2 ? 2 : 1; }

void rz_linear_table(int area_mode, int sn, int dn, int k, int32_t *ofs, int16_t *w) {
    /* cv2 derives scale from its inverse; the double rounding is part of the result. */
    const double inv = (double)dn / sn, scale = 1.0 / inv;
    for (int d = 0; d < dn; d++) {
        float f;
        int s;
        if (!area_mode) {
            f = (float)((d + 0.5) * scale - 0.5);
            s = (int)floorf(f);
            f -= (float)s;
        } else {
            s = (int)floor(d * scale);
            f = (float)((d + 1) - (s + 1) * inv);
            f = f <= 0 ? 0.f : f - floorf(f);
        }
        if (s < 0) { f = 0; s = 0; }
        if (s >= sn - 1) { f = 0; s = sn - 1; }
        const int a0 = (int)lrintf((1.f - f) * RZ_ONE), a1 = (int)lrintf(f * RZ_ONE);
        const int start = s < sn - k ? s : sn - k;
        int16_t *wd = w + (size_t)d * k;
        for (int t = 0; t < k; t++) wd[t] = 0;
        wd[s - start] = (int16_t)a0;
        if (a1) wd[s - start + 1] = (int16_t)a1; /* a1 != 0 only when s + 1 < sn */
        ofs[d] = start;
    }
}
