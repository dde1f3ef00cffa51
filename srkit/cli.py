"""The ``srkit`` command line.  Run ``srkit --help`` or ``srkit COMMAND --help``."""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from .errors import SrkitError

DESCRIPTION = """\
srkit: a teaching kit for deep-learning image super-resolution.

Commands:
  evaluate   score upscalers on Set5/Set14/BSD100 with the paper protocol (Y channel,
             scale pixels shaved, per-image mean, MATLAB-bicubic LR inputs)
  datasets   list the bundled datasets and where they are
  degrade    make a low-resolution image from a high-resolution one (MATLAB bicubic,
             optionally with blur, noise or JPEG)
  info       show versions, CPU/GPU and whether smoke mode is on

Examples:
  srkit evaluate bicubic --data Set5 Set14 BSD100 --scale 2 3 4
  srkit evaluate bicubic lanczos3 --data Set5 --scale 4 --json results.json
  srkit degrade photo.png photo_x4.png --scale 4
"""


def _format_table(table) -> str:
    t = table.copy()
    t["psnr"] = t["psnr"].map(lambda v: f"{v:.2f}")
    t["ssim"] = t["ssim"].map(lambda v: f"{v:.4f}")
    return t.to_string(index=False)


def cmd_evaluate(args) -> int:
    import pandas as pd

    from .evaluate import evaluate

    tables = []
    for method in args.methods:
        tables.append(
            evaluate(method, datasets=args.data, scales=args.scale, per_image=args.per_image,
                     limit=args.limit, progress=args.verbose)
        )
    table = pd.concat(tables, ignore_index=True)
    print(_format_table(table))
    if args.json:
        def value(k, v):
            if k in ("psnr", "ssim"):  # JSON has no Infinity: identical images give null
                return round(float(v), 6) if math.isfinite(v) else None
            return int(v) if k in ("scale", "images") else v

        records = [{k: value(k, v) for k, v in row.items()} for row in table.to_dict(orient="records")]
        path = Path(args.json)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(records, indent=2) + "\n")
        print(f"wrote {len(records)} records to {path}")
    return 0


def cmd_datasets(args) -> int:
    from .data import data_dir, list_datasets, list_images

    root = data_dir()
    print(f"data folder: {root}")
    for kind, names in list_datasets().items():
        for name in names:
            folder = root / kind / name / ("HR" if kind == "benchmark" else "")
            try:
                n = len(list_images(folder))
            except SrkitError:
                n = 0
            extra = ""
            if kind == "benchmark":
                lr_dir = root / kind / name / "LR_bicubic"
                scales = sorted(p.name for p in lr_dir.iterdir()) if lr_dir.is_dir() else ["none"]
                extra = f"  LR: {' '.join(scales)}"
            print(f"  {kind:9s} {name:8s} {n:4d} images{extra}")
    return 0


def cmd_degrade(args) -> int:
    from .degrade import Degradation
    from .io import read_image, save_image

    hr = read_image(args.input)
    deg = Degradation(args.scale, blur_sigma=args.blur, noise_sigma=args.noise, jpeg_quality=args.jpeg)
    lr = deg(hr, rng=args.seed)
    out = save_image(args.output, lr)
    print(f"{args.input}: {hr.shape[1]}x{hr.shape[0]} -> {out}: {lr.shape[1]}x{lr.shape[0]}")
    return 0


def cmd_info(args) -> int:
    from .env import describe

    for k, v in describe(tensorflow=not args.fast).items():
        print(f"{k:14s} {v}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="srkit", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    from . import __version__

    parser.add_argument("--version", action="version", version=f"srkit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("evaluate", help="score upscalers on the benchmarks (paper protocol)",
                       description="Score one or more upscalers on benchmark sets and scales. Prints one row "
                       "per (method, dataset, scale): PSNR (dB) and SSIM on the Y channel with `scale` "
                       "pixels shaved, averaged per image.")
    p.add_argument("methods", nargs="+", metavar="METHOD",
                   help="an interpolation (bicubic, nearest, bilinear, lanczos2, lanczos3) or a pretrained model name")
    p.add_argument("--data", nargs="+", default=["Set5", "Set14", "BSD100"], metavar="SET",
                   help="benchmark sets (default: Set5 Set14 BSD100)")
    p.add_argument("--scale", nargs="+", type=int, default=[2, 3, 4], metavar="K",
                   help="scale factors (default: 2 3 4)")
    p.add_argument("--json", metavar="PATH", help="also write the table as JSON records")
    p.add_argument("--per-image", action="store_true", help="one row per image instead of averages")
    p.add_argument("--limit", type=int, metavar="N", help="only the first N images of each set")
    p.add_argument("-v", "--verbose", action="store_true", help="print progress")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("datasets", help="list the bundled datasets",
                       description="List the training and benchmark sets in the data folder "
                       "($SRKIT_DATA or the repository's data/).")
    p.set_defaults(func=cmd_datasets)

    p = sub.add_parser("degrade", help="make an LR image from an HR image",
                       description="Downscale an image the way SR benchmarks do (MATLAB bicubic, after "
                       "cropping to a multiple of the scale), optionally with Gaussian blur before, "
                       "and noise and JPEG after.")
    p.add_argument("input", help="HR image (PNG, JPEG, BMP, TIFF, WebP)")
    p.add_argument("output", help="where to write the LR image (use .png)")
    p.add_argument("--scale", type=int, required=True, help="downscaling factor, e.g. 2, 3 or 4")
    p.add_argument("--blur", type=float, default=0.0, metavar="SIGMA", help="Gaussian blur sigma (HR pixels)")
    p.add_argument("--noise", type=float, default=0.0, metavar="SIGMA", help="Gaussian noise sigma (0-255)")
    p.add_argument("--jpeg", type=int, metavar="Q", help="JPEG quality (1-95)")
    p.add_argument("--seed", type=int, default=0, help="seed for the noise")
    p.set_defaults(func=cmd_degrade)

    p = sub.add_parser("info", help="versions, CPU/GPU, smoke mode",
                       description="Show Python, TensorFlow and Keras versions, the devices TensorFlow sees, "
                       "and whether SRKIT_SMOKE is on.")
    p.add_argument("--fast", action="store_true", help="skip importing TensorFlow")
    p.set_defaults(func=cmd_info)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return args.func(args)
    except SrkitError as e:
        print(f"srkit {args.command}: error: {e}", file=sys.stderr)
        return 2
    except (ValueError, KeyError, OSError) as e:
        print(f"srkit {args.command}: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
