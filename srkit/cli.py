"""The ``srkit`` command line.  Run ``srkit --help`` or ``srkit COMMAND --help``."""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from .errors import SrkitError

__all__ = ["main", "build_parser"]

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
  train-gan  fine-tune a pretrained PSNR generator with a discriminator (SRGAN/ESRGAN style)
  info       show versions, CPU/GPU and whether smoke mode is on

Examples:
  srkit evaluate bicubic --data Set5 Set14 BSD100 --scale 2 3 4
  srkit evaluate bicubic lanczos3 --data Set5 --scale 4 --json results.json
  srkit evaluate bicubic --data Set5 Set14 BSD100 --scale 8
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

        from .io import _write_text_atomic

        records = [{k: value(k, v) for k, v in row.items()} for row in table.to_dict(orient="records")]
        path = _write_text_atomic(args.json, json.dumps(records, indent=2) + "\n")
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


def _refuse_overwriting_input(args) -> None:
    """``input`` and ``output`` must be different files unless ``--overwrite`` says otherwise."""
    src, dst = Path(args.input), Path(args.output)
    same = dst.exists() and src.exists() and (src.resolve() == dst.resolve() or src.samefile(dst))  # links too
    if same and not args.overwrite:
        raise SrkitError(f"{dst} is the input image: writing the result there would replace it. Choose another "
                         "output file, or add --overwrite if replacing the input is what you want.")


def cmd_degrade(args) -> int:
    from .degrade import Degradation
    from .errors import check_int
    from .io import read_image, save_image

    check_int("--seed", args.seed, low=0)
    deg = Degradation(args.scale, blur_sigma=args.blur, noise_sigma=args.noise, jpeg_quality=args.jpeg)
    _refuse_overwriting_input(args)
    hr = read_image(args.input)
    lr = deg(hr, rng=args.seed)
    out = save_image(args.output, lr)
    print(f"{args.input}: {hr.shape[1]}x{hr.shape[0]} -> {out}: {lr.shape[1]}x{lr.shape[0]}")
    return 0


def cmd_upscale(args) -> int:
    import time

    from .degrade import INTERPOLATIONS, check_upscale_size
    from .errors import check_int
    from .infer import InterpolationUpscaler, KerasUpscaler
    from .io import read_image, save_image

    check_int("--scale", args.scale, low=1, hint="Interpolations upscale at any scale (e.g. x8); pretrained models at the "
              "scales srkit zoo lists.")
    check_int("--tile", args.tile, low=0, hint="Use 0 for no tiling, or a tile size such as 128.")
    _refuse_overwriting_input(args)
    lr = read_image(args.input)
    check_upscale_size(lr.shape[0], lr.shape[1], args.scale, args.input)
    t0 = time.time()
    if args.model in INTERPOLATIONS:
        sr = InterpolationUpscaler(args.model, tile=args.tile or None)(lr, args.scale)
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
    short = zoo.shortfalls()
    if short:
        print(f"\n{len(short)} model(s) below their paper's numbers (dB short; measured attempts; next step), from their cards:")
        for s in short:
            gaps = ", ".join(f"{ds} {g:+.2f}" for ds, g in s["gap_db"].items() if g > 0)
            tried = sum(a.get("minutes", 0) for a in s["attempts"])
            runs = (f"{len(s['attempts'])} measured run(s), {tried:.0f} min of training in all; next: "
                    if s["attempts"] else "")
            print(f"  {s['name']} x{s['scale']}: short by {gaps}; {runs}{s['next_step']}")
    changed = zoo.departures()
    if changed:
        print(f"\n{len(changed)} model(s) whose network departs from its paper's, from their cards:")
        for d in changed:
            print(f"  {d['name']} x{d['scale']}: {d['departures']}")
    return 0


def _config_kwargs(args, config_class) -> dict:
    """The config fields given on the command line (the rest keep the config class's defaults)."""
    from dataclasses import fields

    given = vars(args)
    out = {}
    for f in fields(config_class):
        if f.name in given:
            value = given[f.name]
            if f.name == "val_set" and value == "":
                value = None
            elif f.name == "train_sets":
                value = tuple(value)
            elif f.name == "model_config":
                try:
                    value = json.loads(value)
                except json.JSONDecodeError as e:
                    raise SrkitError(f"--model-config must be a JSON object such as '{{\"blocks\": 8}}', got "
                                     f"{value!r} ({e}).") from None
            out[f.name] = value
    return out


def cmd_train(args) -> int:
    from .configs import TrainConfig

    config = TrainConfig(**_config_kwargs(args, TrainConfig))  # checked before TensorFlow is loaded
    from .data import check_dataset

    tests = [check_dataset(d) for d in args.test if d]  # checked before training, not after it
    from .train import train

    out = Path(args.out or f"runs/{args.model}_x{args.scale}")
    result = train(config, out_dir=out, resume=not args.no_resume, verbose=2 if args.quiet else "auto")
    final, best = result.final_val_psnr, result.best_val_psnr
    last = result.history[-1] if result.history else {}
    print(f"{args.model} x{args.scale}: {int(last.get('step', 0))} steps, {result.wall_time_s:.0f} s this run"
          + (f", {config.val_set} PSNR {final:.2f} dB (best {best:.2f})" if final is not None else "")
          + f"; saved {out / 'model.keras'}")
    if getattr(result, "early_stop", None):
        print(result.early_stop["message"])
    if tests:
        table = result.test_scores(tests)
        print("test (final weights): " + ", ".join(f"{r.dataset} {r.psnr:.2f} dB / {r.ssim:.4f}"
                                                   for r in table.itertuples()))
    return 0


def cmd_train_gan(args) -> int:
    from .configs import GANConfig

    config = GANConfig(**_config_kwargs(args, GANConfig))  # checked before TensorFlow is loaded
    from .gan import train_gan

    out = Path(args.out or f"runs/gan_{config.generator}_x{config.scale}")
    result = train_gan(config, out_dir=out, resume=not args.no_resume, verbose=2 if args.quiet else "auto")
    last = result.history[-1] if result.history else {}
    print(f"GAN from {config.generator} x{config.scale}: {int(last.get('step', 0))} steps, {result.wall_time_s:.0f} s "
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
    """The ``srkit`` argument parser, one sub-command per task (``srkit --help`` lists them)."""
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
                   help="scale factors: 2, 3, 4 and/or 8 (default: 2 3 4)")
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
    p.add_argument("--scale", type=int, required=True, help="downscaling factor, e.g. 2, 3, 4 or 8")
    p.add_argument("--blur", type=float, default=0.0, metavar="SIGMA", help="Gaussian blur sigma, 0-100 HR pixels (0: none)")
    p.add_argument("--noise", type=float, default=0.0, metavar="SIGMA", help="Gaussian noise sigma, 0-255 grey levels (0: none)")
    p.add_argument("--jpeg", type=int, metavar="Q", help="JPEG quality, 1-100 (typical: 30-95)")
    p.add_argument("--seed", type=int, default=0, help="seed for the noise (>= 0)")
    p.add_argument("--overwrite", action="store_true", help="allow OUTPUT to be the input file itself")
    p.set_defaults(func=cmd_degrade)

    p = sub.add_parser("upscale", help="upscale an image with a pretrained model or an interpolation",
                       description="Upscale any image the kit can read (RGB or grey). Pretrained models run on "
                       "the Y channel (colour from bicubic) and process large images in overlapping tiles, so "
                       "memory stays bounded; the tiled result equals the untiled one.")
    p.add_argument("input", help="LR image (PNG, JPEG, BMP, TIFF, WebP)")
    p.add_argument("output", help="where to write the result (use .png)")
    p.add_argument("--model", default="edsr", help="zoo model (srkit zoo lists them) or an interpolation (default edsr)")
    p.add_argument("--scale", type=int, required=True,
                   help="2, 3, 4 or 8 (a zoo model only at the scales it was trained for: srkit zoo lists them)")
    p.add_argument("--tile", type=int, default=128, help="tile size in LR pixels, >= 0 (0: no tiling; default 128)")
    p.add_argument("--overwrite", action="store_true", help="allow OUTPUT to be the input file itself")
    p.set_defaults(func=cmd_upscale)

    p = sub.add_parser("zoo", help="list the pretrained models and their measured scores",
                       description="Print every shipped model's PSNR/SSIM on Set5, Set14 and BSD100 (from its "
                       "card) next to the paper number it is held to.")
    p.set_defaults(func=cmd_zoo)

    _add_train_parsers(sub)

    p = sub.add_parser("info", help="versions, CPU/GPU, smoke mode",
                       description="Show Python, TensorFlow and Keras versions, the devices TensorFlow sees, "
                       "and whether SRKIT_SMOKE is on.")
    p.add_argument("--fast", action="store_true", help="skip importing TensorFlow")
    p.set_defaults(func=cmd_info)
    return parser


def _add_train_parsers(sub) -> None:
    """``srkit train`` and ``srkit train-gan``: the model names and help come from the model registry, and
    every option's default from :class:`srkit.configs.TrainConfig` / :class:`srkit.configs.GANConfig`
    (an option left out keeps that default)."""
    from .configs import GANConfig, TrainConfig, defaults
    from .models import REGISTRY

    keep = argparse.SUPPRESS
    td, gd = defaults(TrainConfig), defaults(GANConfig)

    def opt(p, flag, dest, d, help_, **kw):
        shown = d[dest]
        shown = (" ".join(map(str, shown)) or "none") if isinstance(shown, tuple) else ("none" if shown is None else shown)
        p.add_argument(flag, dest=dest, default=keep, help=f"{help_} (default: {shown})", **kw)

    models = "\n".join(f"  {n:15s} {m.summary} [input: {m.input_kind}]" for n, m in REGISTRY.items())
    p = sub.add_parser("train", help="train a model (resumable; for long runs in the background)",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="Train an SR model on T91 + BSD200 with the kit's engine: L1/L2 loss, Adam "
                       "with cosine decay, validation PSNR on the held-out training images ('val') and a checkpoint "
                       "every --eval-every steps; at the end the final weights are tested on the benchmarks "
                       "(--test).\nRun the same command again to resume after an interruption.\n\nModels:\n" + models)
    p.add_argument("model", choices=list(REGISTRY), metavar="MODEL", help="one of the models listed above")
    p.add_argument("--scale", type=int, required=True,
                   help="2, 3, 4 or 8 (edsr_progressive: 2, 4 or 8)")
    opt(p, "--steps", "steps", td, "optimisation steps", type=int)
    opt(p, "--time-budget", "time_budget_s", td,
        "train for this many seconds instead (cosine LR over time; --steps becomes an upper bound)", type=float,
        metavar="SECONDS")
    p.add_argument("--out", metavar="DIR", help="run folder (default runs/MODEL_xSCALE)")
    opt(p, "--eval-every", "eval_every", td, "steps between validation + checkpoint", type=int)
    opt(p, "--batch-size", "batch_size", td, "batch size; none: the model's", type=int)
    opt(p, "--patch-size", "patch_size", td, "LR patch size; none: the model's", type=int)
    opt(p, "--lr", "learning_rate", td, "peak learning rate; none: the model's", type=float)
    opt(p, "--warmup", "warmup_steps", td, "linear learning-rate warm-up steps", type=int)
    opt(p, "--loss", "loss", td, "pixel loss", choices=["l1", "l2"])
    opt(p, "--channels", "channels", td, "train on luma or colour", choices=["y", "rgb"])
    opt(p, "--train", "train_sets", td, "training sets or folders", nargs="+", metavar="SET")
    opt(p, "--val", "val_set", td, "validation set: 'val' (held-out training images), a benchmark, or '' for none")
    opt(p, "--val-limit", "val_limit", td, "validate on the first N images only", type=int)
    p.add_argument("--test", nargs="*", default=["Set5", "Set14"], metavar="SET",
                   help="benchmarks the final weights are tested on at the end (default: Set5 Set14; none: --test)")
    opt(p, "--model-config", "model_config", td, 'builder arguments as JSON, e.g. \'{"blocks": 8}\'',
        metavar="JSON")
    opt(p, "--seed", "seed", td, "seed of weights and data", type=int)
    opt(p, "--limit", "limit", td, "only the first N images of each training set", type=int)
    opt(p, "--init", "init_weights", td, "fine-tune from 'zoo' (the pretrained model) or a .keras/.weights.h5 file",
        metavar="WEIGHTS")
    opt(p, "--supervision", "supervision", td, "weight of the intermediate predictions' loss (models with "
        "intermediate predictions, e.g. drcn); none: the model's", type=float)
    from .configs import AUGMENTATIONS, OPTIMIZERS, SCHEDULES
    from .degrade import DEGRADATIONS

    opt(p, "--optimizer", "optimizer", td, "optimizer (sgd: with momentum 0.9)", choices=list(OPTIMIZERS))
    opt(p, "--schedule", "schedule", td, "learning-rate schedule after the warm-up", choices=list(SCHEDULES))
    opt(p, "--weight-decay", "weight_decay", td, "decoupled weight decay (AdamW-style)", type=float)
    opt(p, "--l1-penalty", "l1_penalty", td, "L1 penalty on the kernels", type=float)
    opt(p, "--augment", "augment", td, "augmentation of the training patches", choices=list(AUGMENTATIONS))
    opt(p, "--rescale", "rescale", td, "also train on every image shrunk by each of these factors (FSRCNN's "
        "augmentation: 0.9 0.8 0.7 0.6)", type=float, nargs="+", metavar="FACTOR")
    opt(p, "--degradation", "degradation", td, "how training LR patches are made ('realistic': random blur, "
        "resizes, noise and JPEG)", choices=list(DEGRADATIONS))
    opt(p, "--train-psnr-images", "train_psnr_images", td, "also log PSNR on this many training images "
        "(the generalisation gap)", type=int, metavar="N")
    opt(p, "--early-stopping", "early_stopping", td, "stop after this many validations without a better "
        "validation PSNR and keep the best weights (none: off)", type=int, metavar="PATIENCE")
    opt(p, "--teacher", "teacher", td, "knowledge distillation: a pretrained model's name (e.g. edsr) or .keras "
        "file whose SR images are blended into the targets", metavar="MODEL")
    opt(p, "--teacher-weight", "teacher_weight", td, "the teacher's share of the target, in (0, 1]", type=float)
    p.add_argument("--no-resume", action="store_true", help="start afresh even if DIR has a checkpoint")
    p.add_argument("--quiet", action="store_true", help="one line per epoch instead of a progress bar")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("train-gan", help="fine-tune a PSNR generator with a discriminator (SRGAN/ESRGAN style)",
                       description="Start from a pretrained PSNR generator and train it against a fresh "
                       "discriminator: pixel + adversarial + feature-matching losses, each logged on its own; "
                       "validation PSNR and texture distance (held-out training images) and a checkpoint every "
                       "--eval-every steps. Run the same "
                       "command again to resume.")
    opt(p, "--generator", "generator", gd, "zoo name or .keras file of the PSNR generator")
    opt(p, "--scale", "scale", gd, "2, 3, 4 or 8 (the generator's scale)", type=int)
    opt(p, "--steps", "steps", gd, "generator (= discriminator) updates", type=int)
    opt(p, "--time-budget", "time_budget_s", gd, "stop after this many seconds", type=float, metavar="SECONDS")
    p.add_argument("--out", metavar="DIR", help="run folder (default runs/gan_GENERATOR_xSCALE)")
    opt(p, "--eval-every", "eval_every", gd, "steps between validation + checkpoint", type=int)
    opt(p, "--pixel-weight", "pixel_weight", gd, "weight of the pixel loss", type=float)
    opt(p, "--adversarial-weight", "adversarial_weight", gd, "weight of the adversarial loss", type=float)
    opt(p, "--feature-weight", "feature_weight", gd, "weight of the discriminator feature-matching loss", type=float)
    opt(p, "--perceptual-weight", "perceptual_weight", gd, "VGG loss weight (needs VGG19 weights offline)",
        type=float)
    opt(p, "--adversarial", "adversarial", gd, "adversarial loss", choices=["relativistic", "standard"])
    opt(p, "--pixel", "pixel", gd, "pixel loss", choices=["l1", "l2"])
    opt(p, "--g-lr", "g_learning_rate", gd, "generator learning rate", type=float)
    opt(p, "--d-lr", "d_learning_rate", gd, "discriminator learning rate", type=float)
    opt(p, "--patch-size", "patch_size", gd, "LR patch size", type=int)
    opt(p, "--batch-size", "batch_size", gd, "batch size", type=int)
    opt(p, "--disc-filters", "disc_filters", gd, "discriminator filters in its first block", type=int)
    opt(p, "--disc-blocks", "disc_blocks", gd, "discriminator blocks", type=int)
    opt(p, "--train", "train_sets", gd, "training sets or folders", nargs="+", metavar="SET")
    opt(p, "--val", "val_set", gd, "validation set: 'val' (held-out training images), a benchmark, or '' for none")
    opt(p, "--val-limit", "val_limit", gd, "validate on the first N images only", type=int)
    opt(p, "--seed", "seed", gd, "seed of weights and data", type=int)
    opt(p, "--limit", "limit", gd, "only the first N images of each training set", type=int)
    p.add_argument("--no-resume", action="store_true", help="start afresh even if DIR has a checkpoint")
    p.add_argument("--quiet", action="store_true", help="one line per epoch instead of a progress bar")
    p.set_defaults(func=cmd_train_gan)


# Argument names in the kit's messages that differ from the command's option names.
_FIELD_OPTIONS = {"degrade": {"blur_sigma": "--blur", "noise_sigma": "--noise", "jpeg_quality": "--jpeg"}}


def _name_the_option(parser, command: str, message: str) -> str:
    """A message that starts with a config field's name (``batch_size must be ...``) names the option the
    user typed instead (``--batch-size (batch_size) must be ...``)."""
    sub = next((a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)
    p = sub.choices.get(command) if sub is not None else None
    if p is None:
        return message
    for field_name, flag in _FIELD_OPTIONS.get(command, {}).items():
        if message.startswith(field_name + " "):
            return f"{flag} ({field_name}){message[len(field_name):]}"
    for action in p._actions:
        flags = [o for o in action.option_strings if o.startswith("--")]
        if flags and message.startswith(action.dest + " "):
            same = flags[0][2:].replace("-", "_") == action.dest
            return f"{flags[0]}{'' if same else f' ({action.dest})'}{message[len(action.dest):]}"
    return message


def main(argv=None) -> int:
    """Run the ``srkit`` command line on ``argv`` (default: ``sys.argv[1:]``); returns the exit status
    (0 ok, 2 for an error the kit explains, printed as ``srkit COMMAND: error: ...``)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return args.func(args)
    except SrkitError as e:
        print(f"srkit {args.command}: error: {_name_the_option(parser, args.command, str(e))}", file=sys.stderr)
        return 2
    except (ValueError, KeyError, OSError) as e:
        print(f"srkit {args.command}: error: {e}", file=sys.stderr)
        return 2
    except MemoryError:
        print(f"srkit {args.command}: error: ran out of memory. Use a smaller image, a smaller --tile, or fewer "
              "images (--limit).", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
