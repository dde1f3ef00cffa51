"""Make a benchmark's LR images at a scale the published files do not cover (x8), with the kit's
MATLAB-exact ``imresize``.

    python tools/make_benchmark_lr.py --scale 8            # writes data/benchmark/*/LR_bicubic/X8/*.png

Exactly as SelfExSR made the x2/x3/x4 files: the HR cropped from the top-left corner to a multiple of the
scale, then ``imresize(HR, 1/k, 'bicubic')`` on uint8 (rounded after each pass).  Before writing, the
script re-makes every shipped x2/x3/x4 file the same way and stops unless all of them are reproduced bit
for bit, so the x8 files are made by a procedure proven on the published ones.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from srkit.data import BENCHMARKS, data_dir, list_images
from srkit.degrade import bicubic_downsample
from srkit.io import read_image, save_image


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=int, default=8)
    ap.add_argument("--check", nargs="*", type=int, default=[2, 3, 4], help="published scales to reproduce first")
    args = ap.parse_args()
    root = data_dir() / "benchmark"
    for name in BENCHMARKS:
        for hr_path in list_images(root / name / "HR"):
            hr = read_image(hr_path)
            for k in args.check:
                shipped = read_image(root / name / "LR_bicubic" / f"X{k}" / hr_path.name)
                made = bicubic_downsample(hr, k)
                if made.shape != shipped.shape or not np.array_equal(made, shipped):
                    print(f"{name}/{hr_path.name} x{k}: not reproduced; nothing written.", file=sys.stderr)
                    return 1
    written = 0
    for name in BENCHMARKS:
        out = root / name / "LR_bicubic" / f"X{args.scale}"
        out.mkdir(parents=True, exist_ok=True)
        for hr_path in list_images(root / name / "HR"):
            save_image(out / hr_path.name, bicubic_downsample(read_image(hr_path), args.scale))
            written += 1
    print(f"reproduced every shipped x{'/x'.join(map(str, args.check))} file; wrote {written} x{args.scale} LR images")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
