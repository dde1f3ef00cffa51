"""Training efficiency on this CPU: how long each set-up takes to reach a validation PSNR (notebook 08).

    .venv/bin/python bench/training_efficiency.py [--only NAME ...] [--budget S] [--redo] [--out FILE]

Steps per second alone can mislead: a larger batch does more work per step, a cached input pipeline repeats
its patches, a lower-precision step may learn less per step.  So every set-up here trains the same small
EDSR-style network (4 residual blocks of 32 filters, x3, Y channel, 48x48 HR patches from T91 + BSD200,
Adam at a constant 5e-4, L1 loss, seed 0) for ``--budget`` seconds of training time, validates every
``EVAL_EVERY`` steps on the first ``VAL_IMAGES`` held-out training images ('val', paper protocol), and
records the curve of validation PSNR against training time (validation time excluded; the first
steps' graph tracing included, as a user waits for it too).  The report gives each set-up's steps/s and
its time to reach the PSNR the baseline reached at half its budget.

The set-ups (each in its own Python process, since the precision policy and the logical devices are
global to a process):

- ``fp32``: the baseline: float32, batch 32, one step per ``fit`` execution, the kit's input pipeline
  (patches cut in parallel by ``tf.data`` map, prefetched while the step runs);
- ``bf16``: Keras' ``mixed_bfloat16`` policy (bfloat16 compute, float32 weights; needs a CPU with
  bfloat16 instructions to gain, e.g. AVX512-BF16 or AMX);
- ``bf16_spe16``, ``fp32_spe16``: ``steps_per_execution=16`` (16 steps per call from Python into the graph);
- ``batch16``, ``batch64``: other batch sizes at the same learning rate;
- ``serial_input``: no parallel map and no prefetch (the patches are cut while the step waits);
- ``cached``: 256 batches cut once and cached in memory, then replayed in a shuffled order (cheap input,
  but only 8,192 distinct patches);
- ``mirrored2``: ``tf.distribute.MirroredStrategy`` over the CPU split into two logical devices (data
  parallel, batch 32 = 2 x 16).

Results go to bench/training_efficiency.json after every set-up (resumable; ``--redo`` runs them again).
About 25 minutes on a 2-core CPU with the default budget of 150 s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

SCALE = 3
PATCH = 16  # LR patch side: 48x48 HR
MODEL = {"blocks": 4, "filters": 32}
LEARNING_RATE = 5e-4
EVAL_EVERY = 200
VAL_IMAGES = 10

SETUPS = {
    "fp32": {},
    "bf16": {"precision": "mixed_bfloat16"},
    "bf16_spe16": {"precision": "mixed_bfloat16", "steps_per_execution": 16},
    "fp32_spe16": {"steps_per_execution": 16},
    "batch16": {"batch_size": 16},
    "batch64": {"batch_size": 64},
    "serial_input": {"pipeline": "serial"},
    "cached": {"pipeline": "cached"},
    "mirrored2": {"devices": 2},
}
DEFAULTS = {"precision": "float32", "steps_per_execution": 1, "batch_size": 32, "pipeline": "parallel", "devices": 1}


def dataset(sampler, batch_size: int, pipeline: str):
    """The training batches for one set-up (``tf.data``)."""
    import tensorflow as tf

    from srkit.pipeline import patch_dataset

    if pipeline == "parallel":
        return patch_dataset(batch_size=batch_size, seed=0, sampler=sampler)
    if pipeline == "serial":
        lr0, hr0 = sampler.batch_at(0, 0, batch_size)

        def load(step):
            lr, hr = tf.numpy_function(lambda s: sampler.batch_at(0, int(s), batch_size), [step],
                                       (tf.float32, tf.float32), stateful=False)
            lr.set_shape(lr0.shape)
            hr.set_shape(hr0.shape)
            return lr, hr

        return tf.data.Dataset.counter().map(load)  # no num_parallel_calls, no prefetch
    if pipeline == "cached":
        pool = patch_dataset(batch_size=batch_size, seed=0, sampler=sampler, steps=256)
        return pool.cache().shuffle(256, seed=0, reshuffle_each_iteration=True).repeat().prefetch(2)
    raise ValueError(f"unknown pipeline {pipeline!r}")


def run_one(name: str, budget_s: float) -> dict:
    """Train one set-up for ``budget_s`` seconds of training time; its curve and speed."""
    setup = {**DEFAULTS, **SETUPS[name]}
    import tensorflow as tf

    if setup["devices"] > 1:
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * setup["devices"])
    import keras

    from srkit.models import build
    from srkit.pipeline import make_sampler
    from srkit.train import validate

    keras.utils.set_random_seed(0)
    keras.mixed_precision.set_global_policy(setup["precision"])
    sampler = make_sampler(scale=SCALE, patch_size=PATCH)
    strategy = None
    if setup["devices"] > 1:
        strategy = tf.distribute.MirroredStrategy([f"/cpu:{i}" for i in range(setup['devices'])])

    def make():
        m = build("edsr", SCALE, **MODEL)
        m.compile(optimizer=keras.optimizers.Adam(LEARNING_RATE), loss="mean_absolute_error",
                  steps_per_execution=setup["steps_per_execution"])
        return m

    if strategy is not None:
        with strategy.scope():
            model = make()
    else:
        model = make()
    keras.mixed_precision.set_global_policy("float32")
    scorer = build("edsr", SCALE, **MODEL)  # float32 copy that validates (the same weights)
    curve = [{"step": 0, "train_s": 0.0, "val_psnr": validate(scorer, SCALE, "val", VAL_IMAGES)["val_psnr"]}]

    class Clock(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.train_s = 0.0

        def on_epoch_begin(self, epoch, logs=None):
            self.t0 = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.train_s += time.perf_counter() - self.t0
            scorer.set_weights(model.get_weights())
            curve.append({"step": (epoch + 1) * EVAL_EVERY, "train_s": round(self.train_s, 2),
                          "loss": float(logs["loss"]),
                          "val_psnr": round(validate(scorer, SCALE, "val", VAL_IMAGES)["val_psnr"], 4)})
            print(name, curve[-1], flush=True)
            if self.train_s >= budget_s:
                self.model.stop_training = True

    model.fit(dataset(sampler, setup["batch_size"], setup["pipeline"]), epochs=10_000, steps_per_epoch=EVAL_EVERY,
              callbacks=[Clock()], verbose=0, shuffle=False)
    steady = [b["train_s"] - a["train_s"] for a, b in zip(curve[1:], curve[2:])]
    steady_sps = EVAL_EVERY / (sorted(steady)[len(steady) // 2]) if steady else None
    return {"setup": setup, "curve": curve, "steps": curve[-1]["step"], "train_s": curve[-1]["train_s"],
            "steps_per_s": round(steady_sps, 2) if steady_sps else None,
            "patches_per_s": round(steady_sps * setup["batch_size"], 1) if steady_sps else None,
            "final_val_psnr": curve[-1]["val_psnr"]}


def time_to(curve: list[dict], target: float) -> float | None:
    """Training seconds until the validation PSNR first reached ``target`` (linear between validations)."""
    for a, b in zip(curve, curve[1:]):
        if b["val_psnr"] >= target:
            if a["val_psnr"] >= target or b["val_psnr"] == a["val_psnr"]:
                return a["train_s"]
            f = (target - a["val_psnr"]) / (b["val_psnr"] - a["val_psnr"])
            return round(a["train_s"] + f * (b["train_s"] - a["train_s"]), 1)
    return None


def summarise(results: dict) -> dict:
    """The target (the baseline's PSNR at half its budget) and each set-up's time to reach it."""
    base = results.get("fp32")
    if not base:
        return {}
    half = base["train_s"] / 2
    reached = [p for p in base["curve"] if p["train_s"] <= half]
    target = round(max(p["val_psnr"] for p in reached), 2)
    rows = {}
    for name, r in results.items():
        t = time_to(r["curve"], target)
        changes = ", ".join(f"{k}={v}" for k, v in r["setup"].items() if DEFAULTS.get(k) != v)
        rows[name] = {"changes": changes or "baseline", "steps_per_s": r["steps_per_s"], "patches_per_s": r["patches_per_s"], "time_to_target_s": t,
                      "speedup": round(time_to(base["curve"], target) / t, 2) if t else None,
                      "final_val_psnr": r["final_val_psnr"]}
    return {"target_val_psnr": target, "rule": "the best validation PSNR the fp32 baseline reached in the first half "
            "of its budget", "rows": rows}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="+", choices=sorted(SETUPS), help="run only these set-ups")
    ap.add_argument("--budget", type=float, default=150.0, help="training seconds per set-up (default 150)")
    ap.add_argument("--redo", action="store_true", help="run set-ups again that are already in the file")
    ap.add_argument("--out", default=str(ROOT / "bench" / "training_efficiency.json"))
    ap.add_argument("--child", help=argparse.SUPPRESS)  # run one set-up here and print its JSON
    args = ap.parse_args(argv)
    if args.child:
        print("RESULT " + json.dumps(run_one(args.child, args.budget)), flush=True)
        return 0
    from srkit.env import cpu_model

    out = Path(args.out)
    data = json.loads(out.read_text()) if out.exists() else {}
    data.setdefault("results", {})
    for name in args.only or list(SETUPS):
        if name in data["results"] and not args.redo:
            continue
        proc = subprocess.run([sys.executable, __file__, "--child", name, "--budget", str(args.budget)],
                              capture_output=True, text=True)
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
        if proc.returncode or not lines:
            print(f"{name}: failed\n{proc.stderr[-3000:]}", file=sys.stderr)
            data["results"][name] = {"setup": {**DEFAULTS, **SETUPS[name]}, "error": proc.stderr.strip().splitlines()[-1:]}
        else:
            data["results"][name] = json.loads(lines[-1][len("RESULT "):])
            print(name, {k: v for k, v in data["results"][name].items() if k != "curve"}, flush=True)
        ok = {k: v for k, v in data["results"].items() if "curve" in v}
        import keras
        import tensorflow as tf

        data.update(
            command="python bench/training_efficiency.py" + (f" --budget {args.budget:g}" if args.budget != 150 else ""),
            model={"name": "edsr", "config": MODEL, "scale": SCALE, "patch_size": PATCH, "lr": LEARNING_RATE},
            eval_every=EVAL_EVERY, val_images=VAL_IMAGES, budget_s=args.budget,
            machine={"cpu": cpu_model(), "cores": os.cpu_count(), "python": platform.python_version(),
                     "tensorflow": tf.__version__, "keras": keras.__version__},
            summary=summarise(ok),
        )
        tmp = out.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1))
        tmp.replace(out)
    ok = {k: v for k, v in data["results"].items() if "curve" in v}
    if ok and data.get("summary") != summarise(ok):  # the summary follows this file's rule, even with no new run
        data["summary"] = summarise(ok)
        tmp = out.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1))
        tmp.replace(out)
    for name, row in data.get("summary", {}).get("rows", {}).items():
        print(f"{name:14s} {row}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
