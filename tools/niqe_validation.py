"""Measure how the kit's NIQE (srkit.quality.niqe) ranks distortions and SR outputs on all 14 Set14 images.

    .venv/bin/python tools/niqe_validation.py

Prints two Markdown tables (the numbers of docs/results.md, "No-reference quality (NIQE)"):

1. mean NIQE of the HR images, then of the HR under Gaussian blur (sigma 1, 2, 3), Gaussian noise (sigma 5,
   15, 30 grey levels, seed 0) and JPEG (quality 90, 50, 20, 10); whole images, no border shaved;
2. mean NIQE at x4 (4 pixels shaved from every border) of the HR, of bicubic, of the zoo's ``edsr`` (PSNR-trained)
   and ``edsr_gan`` (GAN fine-tuned) outputs, and of the GAN output lightly blurred (sigma 0.7);
3. the perception-distortion table (srkit.gan.perception_distortion_table) of the same four methods on Set5
   and Set14 at x4: PSNR, SSIM, texture distance and NIQE.

    .venv/bin/python tools/niqe_validation.py --diagnose

prints instead what explains the orderings that fail: per image, NIQE of the HR, of JPEG quality 90 and of a
light Gaussian blur (sigma 0.5); then the HR / JPEG 90 / x4 means with pristine models refitted on T91 alone and
on BSD200 alone (validation images held out; never a benchmark image; not shipped).

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
    from srkit.gan import perception_distortion_table

    table = perception_distortion_table({"HR": "hr", "bicubic": "bicubic", "edsr": upscaler("edsr"),
                                         "edsr_gan": gan}, ["Set5", "Set14"], 4)
    print("\nPerception-distortion table, x4 (means over every image)\n")
    print("| method | dataset | PSNR | SSIM | texture | NIQE |")
    print("|---|---|---|---|---|---|")
    for r in table.itertuples():
        print(f"| {r.method} | {r.dataset} | {r.psnr:.2f} | {r.ssim:.4f} | {r.texture:.2f} | {r.niqe:.2f} |")
    print(f"\n({time.perf_counter() - t0:.0f} s)")
    return 0


def diagnose() -> int:
    import numpy as np

    from srkit.data import load_benchmark, load_training_images
    from srkit.degrade import gaussian_blur, jpeg_compress, upscale
    from srkit.quality import fit_pristine, niqe
    from srkit.zoo import upscaler

    pairs = load_benchmark("Set14", 4)
    print("| image | HR | JPEG 90 | blur sigma 0.5 |")
    print("|---|---|---|---|")
    for p in pairs:
        print(f"| {p.name} | {niqe(p.hr):.2f} | {niqe(jpeg_compress(p.hr, 90)):.2f} | "
              f"{niqe(gaussian_blur(p.hr, 0.5)):.2f} |")
    outs = {"bicubic": [upscale(p.lr, 4) for p in pairs], "edsr": [upscaler("edsr")(p.lr, 4) for p in pairs],
            "edsr_gan": [upscaler("edsr_gan")(p.lr, 4) for p in pairs]}
    print("\n| pristine model | patches | HR | JPEG 90 | x4: HR | bicubic | edsr | edsr_gan |")
    print("|---|---|---|---|---|---|---|---|")
    for data in (["T91"], ["BSD200"]):
        m = fit_pristine(load_training_images(data))
        cells = [np.mean([niqe(p.hr, m) for p in pairs]), np.mean([niqe(jpeg_compress(p.hr, 90), m) for p in pairs]),
                 np.mean([niqe(p.hr, m, crop_border=4) for p in pairs])]
        cells += [np.mean([niqe(im, m, crop_border=4) for im in ims]) for ims in outs.values()]
        print(f"| {' + '.join(data)} alone | {m.info['patches']} | " + " | ".join(f"{c:.2f}" for c in cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(diagnose() if "--diagnose" in sys.argv[1:] else main())
