"""Knowledge distillation measured (notebook 08): a small student with the flagship as teacher, against the same
student trained alone.

    .venv/bin/python bench/distillation.py [--only NAME ...] [--steps N] [--redo] [--out FILE]

Student: ESPCN x4 (the paper's network, 24,752 parameters), Y channel, batch 32 of 12x12 LR patches from
T91 + BSD200 (the validation images held out), Adam with a cosine from 1e-3, L1 loss, seed 0, ``--steps``
steps (default 12,000), validated every sixth of the steps on the held-out images ('val').  Teacher: the
zoo's flagship ``edsr`` x4 (1.44 M parameters), run once over the training images before training
(:mod:`srkit.train.distill`).  The runs, identical except for the target:

- ``alone``: the HR images (ordinary training);
- ``teacher_0.5``: half teacher output, half HR;
- ``teacher_1.0``: the teacher's output alone.

The final weights of each are tested on Set5, Set14 and BSD100 (paper protocol).  Each run lives in
runs/distill/NAME (resumable); results go to bench/distillation.json after every run.  About 4 minutes
per run on a 2-core CPU when the runs go one at a time.
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

SCALE = 4
TEACHER = "edsr"
RUNS = {"alone": {}, "teacher_0.5": {"teacher": TEACHER, "teacher_weight": 0.5},
        "teacher_1.0": {"teacher": TEACHER, "teacher_weight": 1.0}}


def config(name: str, steps: int):
    from srkit.configs import TrainConfig

    return TrainConfig(model="espcn", scale=SCALE, steps=steps, eval_every=max(1, steps // 6), batch_size=32,
                       patch_size=12, learning_rate=1e-3, seed=0, **RUNS[name])


def run(name: str, steps: int) -> dict:
    from srkit.train import train

    t0 = time.time()
    result = train(config(name, steps), ROOT / "runs" / "distill" / name, verbose=0)
    tests = result.test_scores(["Set5", "Set14", "BSD100"])
    return {
        "config": result.config.to_json(),
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

    card = zoo.card(TEACHER, SCALE)
    sampler = make_sampler(scale=SCALE, patch_size=12)
    t0 = time.time()
    info = attach_teacher(sampler, TEACHER, 1.0)
    return {"name": TEACHER, "parameters": card["architecture"]["parameters"],
            "test": {k: {"psnr": round(v["psnr"], 3)} for k, v in card["scores"].items()},
            "targets_time_s": round(time.time() - t0, 1), **info}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="+", choices=sorted(RUNS), help="run only these")
    ap.add_argument("--steps", type=int, default=12_000)
    ap.add_argument("--redo", action="store_true")
    ap.add_argument("--out", default=str(ROOT / "bench" / "distillation.json"))
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
        data.update(command="python bench/distillation.py" + (f" --steps {args.steps}" if args.steps != 12_000 else ""),
                    steps=args.steps,
                    machine={"cpu": cpu_model(), "cores": os.cpu_count(), "python": platform.python_version(),
                             "tensorflow": tf.__version__, "keras": keras.__version__})
        tmp = out.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, indent=1))
        tmp.replace(out)

    if "teacher" not in load() or args.redo:
        rec = teacher_record()
        save(lambda d: d.__setitem__("teacher", rec))
    for name in args.only or list(RUNS):
        if name in load()["runs"] and not args.redo:
            continue
        rec = run(name, args.steps)
        print(name, {k: v for k, v in rec.items() if k not in ("history", "config")}, flush=True)
        save(lambda d: d["runs"].__setitem__(name, rec))
    return 0


if __name__ == "__main__":
    sys.exit(main())
