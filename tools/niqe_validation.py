"""Measure how the kit's NIQE (srkit.quality.niqe) ranks distortions and SR outputs on all 14 Set14 images.

    .venv/bin/python tools/niqe_validation.py

Prints two Markdown tables (the numbers of docs/results.md, "No-reference quality (NIQE)"):

1. mean NIQE of the HR images, then of the HR under Gaussian blur (sigma 1, 2, 3), Gaussian noise (sigma 5,
   15, 30 grey levels, seed 0) and JPEG (quality 90, 50, 20, 10); whole images, no border shaved;
2. mean NIQE at x4 (4 pixels shaved from every border) of the HR, of bicubic, of the zoo's ``edsr`` (PSNR-trained)
   and ``edsr_gan`` (GAN fine-tuned) outputs, and of the GAN output lightly blurred (sigma 0.7).

tests/test_quality.py asserts the same orderings.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    import numpy as np

    from srkit.data import load_benchmark
    from srkit.degrade import add_gaussian_noise, gaussian_blur, jpeg_compress, upscale
    from srkit.quality import niqe
    from srkit.zoo import upscaler

    t0 = time.perf_counter()
    pairs = load_benchmark("Set14", 4)
    hr = float(np.mean([niqe(p.hr) for p in pairs]))
    print(f"Set14 ({len(pairs)} images), mean NIQE (lower = more natural)\n")
    print("| distortion | HR | level 1 | level 2 | level 3 | level 4 |")
    print("|---|---|---|---|---|---|")
    for kind, levels, make in [("Gaussian blur, sigma", (1, 2, 3), lambda im, v: gaussian_blur(im, v)),
                               ("Gaussian noise, sigma", (5, 15, 30), lambda im, v: add_gaussian_noise(im, v, 0)),
                               ("JPEG, quality", (90, 50, 20, 10), lambda im, v: jpeg_compress(im, v))]:
        means = [float(np.mean([niqe(make(p.hr, v)) for p in pairs])) for v in levels]
        cells = [f"{v}: {m:.2f}" for v, m in zip(levels, means)] + [""] * (4 - len(levels))
        print(f"| {kind} | {hr:.2f} | " + " | ".join(cells) + " |")
    gan = upscaler("edsr_gan")
    methods = {"HR": lambda p: p.hr, "bicubic": lambda p: upscale(p.lr, 4),
               "edsr (PSNR-trained)": (lambda up: lambda p: up(p.lr, 4))(upscaler("edsr")),
               "edsr_gan (GAN fine-tuned)": lambda p: gan(p.lr, 4),
               "edsr_gan, then Gaussian blur sigma 0.7": lambda p: gaussian_blur(gan(p.lr, 4), 0.7)}
    print("\nSet14 x4, mean NIQE with 4 pixels shaved from every border\n")
    print("| method | mean NIQE | min | max |")
    print("|---|---|---|---|")
    for name, make in methods.items():
        s = [niqe(make(p), crop_border=4) for p in pairs]
        print(f"| {name} | {np.mean(s):.2f} | {np.min(s):.2f} | {np.max(s):.2f} |")
    print(f"\n({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
