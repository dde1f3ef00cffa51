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
  upscale    upscale an image with a pretrained model (tiled for large images)
  zoo        list the pretrained models with their measured scores and targets
  train      train a model on T91 + BSD200 (resumable, for long background runs)
  info       show versions, CPU/GPU and whether smoke mode is on

Examples:
  srkit evaluate bicubic --data Set5 Set14 BSD100 --scale 2 3 4
  srkit evaluate bicubic lanczos3 --data Set5 --scale 4 --json results.json
  srkit degrade photo.png photo_x4.png --scale 4
  srkit upscale photo_x4.png photo_sr.png --model edsr --scale 4
  srkit evaluate espcn --scale 3 --data Set5
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


def cmd_upscale(args) -> int:
    import time

    from .degrade import INTERPOLATIONS, upscale
    from .evaluate import KerasUpscaler
    from .io import read_image, save_image

    lr = read_image(args.input)
    t0 = time.time()
    if args.model in INTERPOLATIONS:
        sr = upscale(lr, args.scale, args.model)
    else:
        from . import zoo

        model = zoo.load(args.model, args.scale)
        sr = KerasUpscaler(model, args.model, tile=args.tile or None)(lr, args.scale)
    out = save_image(args.output, sr)
    print(f"{args.input}: {lr.shape[1]}x{lr.shape[0]} -> {out}: {sr.shape[1]}x{sr.shape[0]} "
          f"({args.model} x{args.scale}, {time.time() - t0:.1f} s)")
    return 0


def cmd_zoo(args) -> int:
    from . import zoo

    table = zoo.results_table()
    if table.empty:
        print("no pretrained models installed")
        return 0
    t = table.copy()
    t["met"] = [("yes" if p >= tp - 1e-9 else "no") if tp == tp and tp is not None else "" for p, tp in
                zip(t.psnr.round(2), t.target_psnr)]
    print(t.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    return 0


def cmd_train(args) -> int:
    from .train import TrainConfig, train

    model_config = json.loads(args.model_config) if args.model_config else {}
    config = TrainConfig(
        args.model, args.scale, steps=args.steps, model_config=model_config, channels=args.channels,
        train_sets=tuple(args.train), patch_size=args.patch_size, batch_size=args.batch_size,
        learning_rate=args.lr, loss=args.loss, eval_every=args.eval_every, val_set=args.val or None,
        seed=args.seed, limit=args.limit, time_budget_s=args.time_budget, init_weights=args.init,
        supervision=args.supervision,
    )
    out = Path(args.out or f"runs/{args.model}_x{args.scale}")
    result = train(config, out_dir=out, resume=not args.no_resume, verbose=2 if args.quiet else "auto")
    best = result.best_val_psnr
    last = result.history[-1] if result.history else {}
    print(f"{args.model} x{args.scale}: {int(last.get('step', 0))} steps, {result.wall_time_s:.0f} s this run"
          + (f", best {config.val_set} PSNR {best:.2f} dB" if best is not None else "")
          + f"; saved {out / 'model.keras'}")
    return 0


def cmd_train_gan(args) -> int:
    from .gan import GANConfig, train_gan

    config = GANConfig(
        generator=args.generator, scale=args.scale, steps=args.steps, pixel_weight=args.pixel_weight,
        adversarial_weight=args.adversarial_weight, feature_weight=args.feature_weight,
        perceptual_weight=args.perceptual_weight, adversarial=args.adversarial, g_learning_rate=args.g_lr,
        d_learning_rate=args.d_lr, patch_size=args.patch_size, batch_size=args.batch_size,
        eval_every=args.eval_every, val_set=args.val or None, train_sets=tuple(args.train), seed=args.seed,
        limit=args.limit, time_budget_s=args.time_budget,
    )
    out = Path(args.out or f"runs/gan_{args.generator}_x{args.scale}")
    result = train_gan(config, out_dir=out, resume=not args.no_resume, verbose=2 if args.quiet else "auto")
    last = result.history[-1] if result.history else {}
    print(f"GAN from {args.generator} x{args.scale}: {int(last.get('step', 0))} steps, {result.wall_time_s:.0f} s "
          f"this run; last {config.val_set} PSNR {last.get('val_psnr', float('nan')):.2f} dB, texture distance "
          f"{last.get('val_texture', float('nan')):.2f} dB; saved {out / 'model.keras'}")
    for w in result.warnings:
        print("warning:", w)
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
                   help="an interpolation (bicubic, nearest, bilinear, lanczos2, lanczos3) or a pretrained model name (srkit zoo)")
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

    p = sub.add_parser("upscale", help="upscale an image with a pretrained model or an interpolation",
                       description="Upscale any image the kit can read (RGB or grey). Pretrained models run on "
                       "the Y channel (colour from bicubic) and process large images in overlapping tiles, so "
                       "memory stays bounded; the tiled result equals the untiled one.")
    p.add_argument("input", help="LR image (PNG, JPEG, BMP, TIFF, WebP)")
    p.add_argument("output", help="where to write the result (use .png)")
    p.add_argument("--model", default="edsr", help="zoo model (srkit zoo lists them) or an interpolation (default edsr)")
    p.add_argument("--scale", type=int, required=True, help="2, 3 or 4")
    p.add_argument("--tile", type=int, default=128, help="tile size in LR pixels (0: no tiling; default 128)")
    p.set_defaults(func=cmd_upscale)

    p = sub.add_parser("zoo", help="list the pretrained models and their measured scores",
                       description="Print every shipped model's PSNR/SSIM on Set5, Set14 and BSD100 (from its "
                       "card) next to the paper number it is held to.")
    p.set_defaults(func=cmd_zoo)

    p = sub.add_parser("train", help="train a model (resumable; for long runs in the background)",
                       description="Train an SR model on T91 + BSD200 with the kit's engine: L1/L2 loss, Adam "
                       "with cosine decay, Set5 validation PSNR and a checkpoint every --eval-every steps. "
                       "Run the same command again to resume after an interruption.")
    p.add_argument("model", help="naive_cnn, srcnn, fsrcnn, espcn, edsr, drcn, sequence_rnn or multiframe_rnn")
    p.add_argument("--scale", type=int, required=True, help="2, 3 or 4")
    p.add_argument("--steps", type=int, default=10_000, help="optimisation steps (default 10000)")
    p.add_argument("--time-budget", type=float, metavar="SECONDS",
                   help="train for this long instead (cosine LR over time; --steps becomes an upper bound)")
    p.add_argument("--out", metavar="DIR", help="run folder (default runs/MODEL_xSCALE)")
    p.add_argument("--eval-every", type=int, default=1000, help="steps between validation + checkpoint")
    p.add_argument("--batch-size", type=int, help="default depends on the model")
    p.add_argument("--patch-size", type=int, help="LR patch size; default depends on the model")
    p.add_argument("--lr", type=float, help="peak learning rate; default depends on the model")
    p.add_argument("--loss", choices=["l1", "l2"], default="l1")
    p.add_argument("--channels", choices=["y", "rgb"], default="y")
    p.add_argument("--train", nargs="+", default=["T91", "BSD200"], metavar="SET", help="training sets or folders")
    p.add_argument("--val", default="Set5", help="validation benchmark ('' for none)")
    p.add_argument("--model-config", metavar="JSON", help='builder arguments, e.g. \'{"blocks": 8}\'')
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--limit", type=int, help="only the first N images of each training set")
    p.add_argument("--init", metavar="WEIGHTS", help="fine-tune from 'zoo' (the pretrained model) or a .keras/.weights.h5 file")
    p.add_argument("--supervision", type=float,
                   help="weight of the intermediate predictions' loss (drcn only; default 0.5 for drcn)")
    p.add_argument("--no-resume", action="store_true", help="start afresh even if DIR has a checkpoint")
    p.add_argument("--quiet", action="store_true", help="one line per epoch instead of a progress bar")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("train-gan", help="fine-tune a PSNR generator with a discriminator (SRGAN/ESRGAN style)",
                       description="Start from a pretrained PSNR generator and train it against a fresh "
                       "discriminator: pixel + adversarial + feature-matching losses, each logged on its own; "
                       "Set5 PSNR and texture distance and a checkpoint every --eval-every steps. Run the same "
                       "command again to resume.")
    p.add_argument("--generator", default="edsr", help="zoo name or .keras file of the PSNR generator (default edsr)")
    p.add_argument("--scale", type=int, default=4, help="2, 3 or 4 (default 4)")
    p.add_argument("--steps", type=int, default=5000)
    p.add_argument("--time-budget", type=float, metavar="SECONDS", help="stop after this long")
    p.add_argument("--out", metavar="DIR", help="run folder (default runs/gan_GENERATOR_xSCALE)")
    p.add_argument("--eval-every", type=int, default=500)
    p.add_argument("--pixel-weight", type=float, default=1.0)
    p.add_argument("--adversarial-weight", type=float, default=5e-3)
    p.add_argument("--feature-weight", type=float, default=1.0)
    p.add_argument("--perceptual-weight", type=float, default=0.0, help="VGG loss weight (needs VGG19 weights offline)")
    p.add_argument("--adversarial", choices=["relativistic", "standard"], default="relativistic")
    p.add_argument("--g-lr", type=float, default=1e-4)
    p.add_argument("--d-lr", type=float, default=1e-4)
    p.add_argument("--patch-size", type=int, default=24, help="LR patch size")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--train", nargs="+", default=["T91", "BSD200"], metavar="SET")
    p.add_argument("--val", default="Set5", help="validation benchmark ('' for none)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--limit", type=int, help="only the first N images of each training set")
    p.add_argument("--no-resume", action="store_true")
    p.add_argument("--quiet", action="store_true", help="one line per epoch instead of a progress bar")
    p.set_defaults(func=cmd_train_gan)

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
