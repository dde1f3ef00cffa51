"""The training-practice chapter's sweeps (notebook 06), written to bench/training_practice.json.

    .venv/bin/python bench/training_practice.py [--only GROUP ...] [--steps N] [--out FILE]

Every run trains an ESPCN-sized network (x3, Y channel, batch 16, LR patches 12x12) with the kit's engine
for a fixed number of steps, validates every 10% of the steps on the 8 held-out training images ('val'),
scores the first 8 (or fewer) training images the same way (``train_psnr``), and at the end tests the
final weights on Set5 and Set14.  The groups:

1. ``overfit``: training on 1, 2, 5, 20 T91 images and on all of T91 + BSD200: train and validation PSNR
   curves and the final generalisation gap;
2. ``remedies``: on the few-image setting (2 images): no augmentation, the flips (baseline), an LR-only
   colour jitter, more data, decoupled L2 weight decay, an L1 weight penalty, dropout, early stopping;
   ``overfit_wide`` and ``remedies_wide``: the same with a wider, deeper network (4 x 64 filters, ReLU,
   117,641 parameters) and, for the remedies, one training image (plus a stronger weight decay and a
   lower and a higher learning rate);
3. ``capacity``: all data, networks from about 1k to 1.3M parameters (depth x width), and the default
   network trained for too few steps;
4. ``optim``: the learning-rate range test (Adam and SGD), constant / step / cosine schedules, warm-up at a
   high rate, Adam vs SGD with momentum, L1 vs L2 loss.

Results are written after every run (atomically), so a partial run is usable; running the command again
skips the runs already in the file (``--redo`` runs them again).  The whole sweep takes about 45 minutes
on a 2-core CPU.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

SCALE = 3
FEW = 2  # training images of the over-fitting setting the remedies work on
ESPCN = {"filters": [64, 32]}  # the paper's ESPCN (22,729 parameters at x3)
CAPACITY = [[8], [16, 16], [32, 32], [64, 64, 64, 64], [128] * 6, [128] * 10]
WIDE = {"filters": [64, 64, 64, 64], "activation": "relu"}  # 117,641 parameters: enough to memorise one image


def base(steps: int) -> dict:
    """What every run shares."""
    return dict(model="espcn", scale=SCALE, steps=steps, eval_every=max(1, steps // 10), batch_size=16,
                patch_size=12, train_psnr_images=8, seed=0)


def few(n: int | None) -> dict:
    """The first n T91 images, or (None) all of T91 + BSD200 (validation images held out)."""
    return {"train_sets": ("T91",), "limit": n} if n else {}


def plan(steps: int) -> list[tuple[str, str, dict]]:
    """``(group, run name, TrainConfig fields)`` of every run, in the order they are trained."""
    long = 2 * steps  # over-fitting needs time to show
    runs = []
    for n in (1, 2, 5, 20, None):
        runs.append(("overfit", f"images_{n or 'all'}", {**base(long), **few(n)}))
    remedies = [("flips (baseline)", {}), ("no augmentation", {"augment": "none"}),
                ("colour jitter on LR", {"augment": "colour_jitter"}),
                ("weight decay 1e-2", {"weight_decay": 1e-2}), ("weight decay 1e-1", {"weight_decay": 1e-1}),
                ("L1 penalty 1e-6", {"l1_penalty": 1e-6}), ("L1 penalty 1e-5", {"l1_penalty": 1e-5}),
                ("dropout 0.1", {"model_config": {**ESPCN, "dropout": 0.1}}),
                ("early stopping (patience 3)", {"early_stopping": 3})]
    for label, extra in remedies:
        runs.append(("remedies", label, {**base(long), **few(FEW), **extra}))
    for n in (1, 2, 5, 20, None):
        runs.append(("overfit_wide", f"images_{n or 'all'}", {**base(long), **few(n), "model_config": WIDE}))
    for label, extra in remedies + [("weight decay 1", {"weight_decay": 1.0}),
                                    ("learning rate 1e-4", {"learning_rate": 1e-4}),
                                    ("learning rate 1e-2", {"learning_rate": 1e-2})]:
        if label.startswith("dropout"):
            extra = {"model_config": {**WIDE, "dropout": 0.1}}
        if label.startswith("flips"):
            continue  # the baseline is overfit_wide/images_1
        runs.append(("remedies_wide", label, {**base(long), **few(1), "model_config": WIDE, **extra}))
    for filters in CAPACITY:
        runs.append(("capacity", f"{len(filters)}x{filters[0]}",
                     {**base(steps), "model_config": {"filters": filters, "activation": "relu"}}))
    for s in (steps // 20, steps // 5, steps, 3 * steps):
        runs.append(("steps", f"{s} steps", {**base(s)}))
    optim = [("adam cosine 1e-3", {}), ("adam constant 1e-3", {"schedule": "constant"}),
             ("adam step 1e-3", {"schedule": "step"}),
             ("adam cosine 1e-2", {"learning_rate": 1e-2}),
             ("adam cosine 1e-2 + warm-up", {"learning_rate": 1e-2, "warmup_steps": steps // 10}),
             ("sgd momentum cosine 1e-2", {"optimizer": "sgd", "learning_rate": 1e-2}),
             ("sgd momentum cosine 1e-1", {"optimizer": "sgd", "learning_rate": 1e-1}),
             ("adam cosine 1e-3, L2 loss", {"loss": "l2"})]
    for label, extra in optim:
        runs.append(("optim", label, {**base(steps), **extra}))
    return runs


def summarise(result, seconds: float) -> dict:
    """One run's record: its curves, final numbers and test scores."""
    keys = ("step", "loss", "val_psnr", "train_psnr", "train_bicubic_psnr", "val_bicubic_psnr", "epoch_time_s",
            "learning_rate")
    hist = [{k: (round(h[k], 5) if k != "step" else int(h[k])) for k in keys if h.get(k) is not None}
            for h in result.history]
    last = hist[-1]
    tests = result.test_scores(["Set5", "Set14"])
    rec = {
        "config": result.config.to_json(),
        "parameters": int(result.model.count_params()),
        "history": hist,
        "final": {
            "step": last["step"],
            "val_psnr": round(result.final_val_psnr, 3),
            "best_val_psnr": round(result.best_val_psnr, 3),
            "train_psnr": round(last["train_psnr"], 3),
            "gap_db": round(result.gap, 3),
            "gain_gap_db": round(result.gain_gap, 3),
            "val_gain_db": round(result.final_val_psnr - last["val_bicubic_psnr"], 3),
            "train_gain_db": round(last["train_psnr"] - last["train_bicubic_psnr"], 3),
            "set5_psnr": round(float(tests.psnr.iloc[0]), 3),
            "set14_psnr": round(float(tests.psnr.iloc[1]), 3),
            "train_time_s": round(sum(h["epoch_time_s"] for h in hist), 1),
            "wall_time_s": round(seconds, 1),
        },
    }
    if result.early_stop is not None:
        rec["early_stop"] = {k: v for k, v in result.early_stop.items() if k != "message"}
        rec["early_stop"]["message"] = result.early_stop["message"]
    return rec


def range_tests(steps: int) -> dict:
    """The learning-rate range test for Adam and SGD with momentum, on all the data."""
    from srkit.train import TrainConfig, lr_range_test

    out = {}
    for opt in ("adam", "sgd"):
        cfg = TrainConfig(**{**base(steps), "optimizer": opt})
        t0 = time.time()
        rt = lr_range_test(cfg, min_lr=1e-5, max_lr=10.0, steps=300)
        out[opt] = {"learning_rates": [float(f"{v:.4g}") for v in rt.learning_rates],
                    "losses": [round(float(v), 5) for v in rt.losses],
                    "smoothed": [round(float(v), 5) for v in rt.smoothed],
                    "best": float(f"{rt.best:.4g}"), "suggested": float(f"{rt.suggested:.4g}"),
                    "diverged": None if rt.diverged is None else float(f"{rt.diverged:.4g}"),
                    "wall_time_s": round(time.time() - t0, 1)}
        print("range test", opt, {k: v for k, v in out[opt].items() if not isinstance(v, list)}, flush=True)
    return out


def markdown(results: dict) -> str:
    """The results page's tables of the sweep (``--markdown``), from the JSON."""
    runs = results["runs"]

    def rows(group, cols, label="run"):
        sel = [r for r in runs.values() if r["group"] == group]
        head = f"| {label} | parameters | " + " | ".join(c for c, _ in cols) + " |"
        out = [head, "|" + "---|" * (2 + len(cols))]
        for r in sel:
            out.append(f"| {r['name']} | {r['parameters']:,} | " + " | ".join(f(r["final"]) for _, f in cols) + " |")
        return "\n".join(out)

    db = lambda k: (lambda f: f"{f[k]:.2f}")
    sec = lambda f: f"{f['train_time_s']:.0f} s"
    gap_cols = [("train PSNR", db("train_psnr")), ("val PSNR", db("val_psnr")), ("train gain", db("train_gain_db")),
                ("val gain", db("val_gain_db")), ("gap of gains", db("gain_gap_db")), ("Set5", db("set5_psnr")),
                ("Set14", db("set14_psnr")), ("time", sec)]
    rem_cols = [("val PSNR", db("val_psnr")), ("gap of gains", db("gain_gap_db")), ("Set5", db("set5_psnr")),
                ("Set14", db("set14_psnr")), ("time", sec)]
    opt_cols = [("val PSNR", db("val_psnr")), ("best val PSNR", db("best_val_psnr")), ("Set5", db("set5_psnr")),
                ("Set14", db("set14_psnr")), ("time", sec)]
    parts = [
        "**1. Over-fitting** (training images: the first N of T91, or all of T91 + BSD200; 4000 steps; PSNR and "
        "gains over bicubic in dB, train = the first 8 training images, val = the 8 held-out ones; Set5/Set14: "
        "the final weights):", "", "ESPCN:", "", rows("overfit", gap_cols, "images"), "",
        "Wide network (4 x 64, ReLU):", "", rows("overfit_wide", gap_cols, "images"), "",
        "**2. Remedies** (4000 steps; ESPCN on 2 images, then the wide network on 1 image, whose baseline is "
        "`overfit_wide/images_1` above):", "", rows("remedies", rem_cols, "remedy"), "",
        rows("remedies_wide", rem_cols, "remedy"), "",
        "**3. Under-fitting** (all data; capacity at 2000 steps, ReLU; then ESPCN for more or fewer steps):", "",
        rows("capacity", gap_cols, "depth x width"), "", rows("steps", gap_cols, "steps"), "",
        "**4. Learning rate and optimizer** (ESPCN, all data, 2000 steps):", "", rows("optim", opt_cols, "run"), "",
    ]
    rt = results.get("range_test", {})
    if rt:
        parts += ["Range test (300 steps, rate from 1e-5 to 10): " + "; ".join(
            f"{k}: lowest smoothed loss at {v['best']:.3g}, diverged at {v['diverged']}" for k, v in rt.items()) + ".", ""]
    return "\n".join(parts)


def write(path: Path, results: dict) -> None:
    tmp = path.with_suffix(".tmp.json")
    tmp.write_text(json.dumps(results, indent=1) + "\n")
    os.replace(tmp, path)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", nargs="*", default=[], help="only these groups (overfit remedies capacity steps optim range)")
    ap.add_argument("--steps", type=int, default=2000, help="steps of a standard run (over-fitting runs: twice)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "training_practice.json")
    ap.add_argument("--redo", action="store_true", help="train runs again even if the file has them")
    ap.add_argument("--markdown", action="store_true", help="print the results page's tables from the file and stop")
    args = ap.parse_args()
    if args.markdown:
        print(markdown(json.loads(args.out.read_text())))
        return 0

    import keras

    from srkit.train import TrainConfig, train

    results = json.loads(args.out.read_text()) if args.out.exists() else {}
    results["command"] = "python bench/training_practice.py " + " ".join(sys.argv[1:])
    results["machine"] = {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
                          "keras": keras.__version__, "backend": keras.backend.backend()}
    results["setup"] = {"model": "espcn", "scale": SCALE, "batch_size": 16, "patch_size": 12, "steps": args.steps,
                        "few_images": FEW, "validation": "val (8 held-out training images)",
                        "train_psnr": "first 8 training images (or all, if fewer), whole images, paper protocol",
                        "test": "final weights on Set5 and Set14"}
    runs = results.setdefault("runs", {})
    t_start = time.time()
    for group, name, fields in plan(args.steps):
        if args.only and group not in args.only:
            continue
        key = f"{group}/{name}"
        if key in runs and not args.redo:
            continue
        t0 = time.time()
        result = train(TrainConfig(**fields), verbose=0, live_plot=False)
        runs[key] = {"group": group, "name": name, **summarise(result, time.time() - t0)}
        print(f"{key}: {json.dumps(runs[key]['final'])} ({time.time() - t_start:.0f} s so far)", flush=True)
        write(args.out, results)
    if (not args.only or "range" in args.only) and ("range_test" not in results or args.redo):
        results["range_test"] = range_tests(args.steps)
        write(args.out, results)
    write(args.out, results)
    print("wrote", args.out, f"in {time.time() - t_start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
