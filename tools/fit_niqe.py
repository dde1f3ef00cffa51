"""Fit the NIQE pristine model that srkit ships (srkit/niqe_pristine.npz) on the kit's own training photos.

    .venv/bin/python tools/fit_niqe.py                 # T91 + BSD200 (validation images held out)
    .venv/bin/python tools/fit_niqe.py --out other.npz --data T91 /path/to/my/sharp/photos

What it does, as the authors' MATLAB release (estimatemodelparam.m) does: every image is converted to grey
(BT.601 luma, rounded), cropped to whole 96x96 patches, and described patch by patch by the 36 NIQE features
(srkit.quality.image_features); of each image, only the patches whose sharpness (mean local contrast) is at
least 0.75 of the image's sharpest are kept; the mean and covariance of all kept patches are the model.
The paper fitted it on 125 photos of its own; srkit fits it on its training set, so srkit's NIQE values rank
images the same way but differ from published NIQE numbers.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(argv: list[str]) -> int:
    from srkit.data import load_training_images
    from srkit.quality import PATCH_SIZE, PRISTINE_FILE, SHARPNESS_THRESHOLD, fit_pristine

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", nargs="+", default=["T91", "BSD200"],
                        help="training sets or folders of sharp, undistorted photos (default: T91 BSD200)")
    parser.add_argument("--out", default=str(PRISTINE_FILE), help="where to write the model (.npz)")
    parser.add_argument("--threshold", type=float, default=SHARPNESS_THRESHOLD, help="sharpness threshold (0.75)")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    images = load_training_images(args.data)
    command = "python tools/fit_niqe.py" + ("" if args.data == ["T91", "BSD200"] else " --data " + " ".join(args.data))
    if args.threshold != SHARPNESS_THRESHOLD:
        command += f" --threshold {args.threshold}"
    model = fit_pristine(images, PATCH_SIZE, args.threshold,
                         info={"data": args.data, "validation_held_out": True, "command": command,
                               "grey": "BT.601 luma, rounded", "paper": "Mittal, Soundararajan, Bovik 2013"})
    path = model.save(args.out)
    print(f"fitted on {model.info['images']} images ({model.info['skipped_small_images']} smaller than one patch "
          f"skipped), {model.info['patches']} sharp patches, in {time.perf_counter() - t0:.0f} s -> {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
