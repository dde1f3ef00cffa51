import numpy as np

from srkit.degrade import upscale


def fuse(burst):
    s = burst.scale
    n, h, w, c = burst.frames.shape
    total = np.zeros((h * s, w * s, c))
    count = np.zeros((h * s, w * s, 1))
    for frame, shift in zip(burst.frames, burst.shifts):
        dy, dx = np.round(shift * s).astype(int)
        big = upscale(frame / 255.0, s)
        # the pixel at p of this frame shows frame 0's pixel at p + (dy, dx)
        y0, y1 = max(0, dy), min(h * s, h * s + dy)
        x0, x1 = max(0, dx), min(w * s, w * s + dx)
        total[y0:y1, x0:x1] += big[y0 - dy:y1 - dy, x0 - dx:x1 - dx]
        count[y0:y1, x0:x1] += 1
    return np.clip(total / np.maximum(count, 1), 0.0, 1.0)


answer = fuse
