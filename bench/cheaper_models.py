"""Two ways to a cheaper model, trained and measured (notebook 08): knowledge distillation and structural
re-parameterisation.

    .venv/bin/python bench/cheaper_models.py [--only NAME ...] [--steps-scale F] [--redo] [--out FILE]

Every run: Y channel, T91 + BSD200 (the validation images held out), Adam with a cosine from 1e-3, L1 loss,
seed 0, validated every sixth of its steps on the held-out images ('val'); the final weights are tested on
Set5, Set14 and BSD100 (paper protocol).

**Distillation** (:mod:`srkit.train.distill`).  Student: ESPCN x4 (the paper's network, 24,752 parameters),
batch 32 of 12x12 LR patches, 12,000 steps.  Teacher: the zoo's flagship ``edsr`` x4 (1.44 M parameters),
run once over the training images before training.  The runs differ only in the target:

- ``alone``: the HR images (ordinary training);
- ``teacher_0.5``: half teacher output, half HR;
- ``teacher_1.0``: the teacher's output alone;
- ``alone_from_x3``, ``teacher_0.5_from_x3``: the first two again, started from the zoo's ESPCN x3 (its feature
  layers; the last convolution fresh) instead of from scratch, so the table separates what the start and
  what the teacher give;
- ``alone_from_x3_seed1``, ``alone_from_x3_seed2``: ``alone_from_x3`` with other draws of the last
  convolution's initial weights (ESPCN x4 can stay on a plateau near 27.96 dB validation PSNR, or leave it,
  depending on that draw).

**Re-parameterisation** (:mod:`srkit.models.reparam`).  x3, batch 32 of 17x17 LR patches, 15,000 steps:

- ``espcn_x3``: ESPCN as it is;
- ``rep_espcn_x3``: the same network with a 1x1 branch beside each feature convolution while training,
  collapsed to ESPCN afterwards (the collapsed model's largest output difference and both forms' CPU
  latency are recorded).

Each run lives in runs/cheaper/NAME (resumable; the zoo entries are built from these folders); results go to
bench/cheaper_models.json after every run (re-read first, so two processes with ``--only`` can share it).
About 4-6 minutes per run on a 2-core CPU when the runs go one at a time.
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

TEACHER = "edsr"
DISTILL = {"model": "espcn", "scale": 4, "patch_size": 12, "steps": 12_000}
REPARAM = {"scale": 3, "patch_size": 17, "steps": 15_000}
RUNS = {
    "alone": ("distillation", DISTILL),
    "teacher_0.5": ("distillation", {**DISTILL, "teacher": TEACHER, "teacher_weight": 0.5}),
    "teacher_1.0": ("distillation", {**DISTILL, "teacher": TEACHER, "teacher_weight": 1.0}),
    "alone_from_x3": ("distillation", {**DISTILL, "init_weights": "x3"}),
    "teacher_0.5_from_x3": ("distillation", {**DISTILL, "teacher": TEACHER, "teacher_weight": 0.5, "init_weights": "x3"}),
    "alone_from_x3_seed1": ("distillation", {**DISTILL, "init_weights": "x3:1"}),
    "alone_from_x3_seed2": ("distillation", {**DISTILL, "init_weights": "x3:2"}),
    "espcn_x3": ("reparameterisation", {**REPARAM, "model": "espcn"}),
    "rep_espcn_x3": ("reparameterisation", {**REPARAM, "model": "rep_espcn"}),
}


def config(name: str, steps_scale: float = 1.0):
    from srkit.configs import TrainConfig

    fields = dict(RUNS[name][1])
    fields["steps"] = max(1, round(fields["steps"] * steps_scale))
    if str(fields.get("init_weights", "")).startswith("x3"):
        seed = int(fields["init_weights"].partition(":")[2] or 0)
        fields["init_weights"] = str(x3_init(seed))
    return TrainConfig(eval_every=max(1, fields["steps"] // 6), batch_size=32, learning_rate=1e-3, seed=0, **fields)


def x3_init(seed: int = 0) -> Path:
    """ESPCN x4 started from the zoo's ESPCN x3: its two feature layers copied, the last convolution (which has
    16 instead of 9 output channels) at its fresh initialisation, drawn with ``seed``.  The same as
    ``python tools/init_from.py zoo:espcn:3 --model espcn --scale 4 --by-order``, with a seed."""
    import keras

    from srkit import zoo
    from srkit.models import build

    sys.path.insert(0, str(ROOT / "tools"))
    from init_from import transfer_by_order

    path = ROOT / "runs" / "cheaper" / ("espcn_x4_from_x3.keras" if seed == 0 else f"espcn_x4_from_x3_seed{seed}.keras")
    if not path.exists():
        keras.utils.set_random_seed(seed)
        src, dst = zoo.load("espcn", 3), build("espcn", 4)  # in this order: the draws the recorded runs had
        report = transfer_by_order(src, dst)
        assert len(report["copied"]) == 2 and len(report["skipped"]) == 1, report  # the body, not the last layer
        path.parent.mkdir(parents=True, exist_ok=True)
        dst.save(path)
    return path


def collapse_record(model) -> dict:
    """The collapsed model's largest output difference and both forms' CPU latency (128x128 LR input)."""
    import numpy as np

    from srkit.models.reparam import collapse
    from srkit.profile import latency_ms

    plain = collapse(model)
    x = np.random.default_rng(0).random((1, 64, 64, 1), dtype=np.float32)
    diff = float(np.abs(np.asarray(model(x)) - np.asarray(plain(x))).max())
    return {"max_abs_difference": diff, "parameters_training": int(model.count_params()),
            "parameters_collapsed": int(plain.count_params()),
            "latency_ms_training": round(latency_ms(model, (128, 128), repeats=10), 2),
            "latency_ms_collapsed": round(latency_ms(plain, (128, 128), repeats=10), 2)}


def run(name: str, steps_scale: float) -> dict:
    from srkit.train import train

    t0 = time.time()
    result = train(config(name, steps_scale), ROOT / "runs" / "cheaper" / name, verbose=0)
    tests = result.test_scores(["Set5", "Set14", "BSD100"])
    extra = {"collapse": collapse_record(result.model)} if result.config.model == "rep_espcn" else {}
    cfg = result.config.to_json()
    if cfg.get("init_weights"):  # the path as a command would give it, from the repository root
        cfg["init_weights"] = os.path.relpath(cfg["init_weights"], ROOT)
    return {
        "group": RUNS[name][0],
        "parameters": int(result.model.count_params()),
        "start": "espcn x3" if cfg.get("init_weights") else "random",
        "teacher_weight": result.config.teacher_weight if result.config.teacher else 0.0,
        **extra,
        "config": cfg,
        "history": [{"step": int(h["step"]), "loss": round(h["loss"], 5), "val_psnr": round(h["val_psnr"], 4),
                     "epoch_time_s": round(h["epoch_time_s"], 2)} for h in result.history],
        "final_val_psnr": round(result.final_val_psnr, 3),
        "test": {r.dataset: {"psnr": round(float(r.psnr), 3), "ssim": round(float(r.ssim), 4)}
                 for r in tests.itertuples()},
        "train_time_s": round(sum(h["epoch_time_s"] for h in result.history), 1),
        "wall_time_s": round(time.time() - t0, 1),
    }


def teacher_record() -> dict:
    """The teacher's size, test scores (its card) and the time to run it over the training images."""
    from srkit import zoo
    from srkit.pipeline import make_sampler
    from srkit.train.distill import attach_teacher

    scale = DISTILL["scale"]
    card = zoo.card(TEACHER, scale)
    sampler = make_sampler(scale=scale, patch_size=DISTILL["patch_size"])
    t0 = time.time()
    info = attach_teacher(sampler, TEACHER, 1.0)
    return {"name": TEACHER, "parameters": card["architecture"]["parameters"],
            "test": {k: {"psnr": round(v["psnr"], 3)} for k, v in card["scores"].items()},
            "targets_time_s": round(time.time() - t0, 1), **info}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="+", choices=sorted(RUNS), help="run only these")
    ap.add_argument("--steps-scale", type=float, default=1.0, help="multiply every run's steps (quick checks)")
    ap.add_argument("--redo", action="store_true")
    ap.add_argument("--out", default=str(ROOT / "bench" / "cheaper_models.json"))
    args = ap.parse_args(argv)
    import keras
    import tensorflow as tf

    from srkit.env import cpu_model

    out = Path(args.out)

    def load():
        return json.loads(out.read_text()) if out.exists() else {"runs": {}}

    def save(update):
        data = load()  # re-read: another process may have added a run meanwhile
        update(data)
        data.update(command="python bench/cheaper_models.py" + (f" --steps-scale {args.steps_scale:g}"
                                                                 if args.steps_scale != 1 else ""),
                    machine={"cpu": cpu_model(), "cores": os.cpu_count(), "python": platform.python_version(),
                             "tensorflow": tf.__version__, "keras": keras.__version__})
        tmp = out.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, indent=1))
        tmp.replace(out)

    names = args.only or list(RUNS)
    if any("teacher" in RUNS[n][1] for n in names) and ("teacher" not in load() or args.redo):
        rec = teacher_record()
        save(lambda d: d.__setitem__("teacher", rec))
    for name in names:
        if name in load()["runs"] and not args.redo:
            continue
        rec = run(name, args.steps_scale)
        print(name, {k: v for k, v in rec.items() if k not in ("history", "config")}, flush=True)
        save(lambda d: d["runs"].__setitem__(name, rec))
    return 0


if __name__ == "__main__":
    sys.exit(main())
