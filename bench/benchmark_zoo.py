"""Benchmark the zoo: parameters, FLOPs, CPU latency per output megapixel, training samples per second.

    .venv/bin/python bench/benchmark_zoo.py [--out bench/results.json] [--train-steps 30]

Latency: median of 3 forward passes on a 128x128 LR input (pre-upsampling models on the upscaled
input), reported per output megapixel.  Training throughput: patches per second of the kit's own
training step (Adam, L1, the model's default batch and patch size) over ``--train-steps`` steps after
a warm-up, on this machine.  Speed is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def training_throughput(name: str, scale: int, steps: int) -> float:
    import keras

    from srkit.models import build, spec
    from srkit.pipeline import make_sampler

    s = spec(name)
    d = {"patch_size": s.patch_size, "batch_size": s.batch_size}
    sampler = make_sampler(["T91"], scale, s.patch_size, limit=20, pre_upsample=s.input_kind == "pre_upsampled")
    model = build(name, scale)
    model.compile(optimizer=keras.optimizers.Adam(1e-4), loss="mean_absolute_error")
    batches = [sampler.batch_at(0, i, d["batch_size"]) for i in range(steps + 3)]
    for lr, hr in batches[:3]:
        model.train_on_batch(lr, hr)
    t = time.perf_counter()
    for lr, hr in batches[3:]:
        model.train_on_batch(lr, hr)
    return steps * d["batch_size"] / (time.perf_counter() - t)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="bench/results.json")
    ap.add_argument("--train-steps", type=int, default=30)
    args = ap.parse_args()

    import keras
    import tensorflow as tf

    from srkit import zoo
    from srkit.profile import cost_table

    rows = []
    for name, scale in zoo.available():
        model = zoo.load(name, scale)
        row = cost_table({name: (model, name == "srcnn")}, scale, lr_hw=(128, 128), repeats=3).iloc[0].to_dict()
        row.update(scale=scale, train_samples_per_s=training_throughput(name, scale, args.train_steps))
        rows.append(row)
        print(f"{name:7s} x{scale}: {row['params']:>9,} params  {row['gflops_per_mp']:8.1f} GFLOP/MP  "
              f"{row['cpu_ms_per_mp']:8.0f} ms/MP  {row['train_samples_per_s']:8.0f} samples/s", flush=True)
    meta = {"command": "python bench/benchmark_zoo.py", "machine": platform.processor() or platform.machine(),
            "cpus": os.cpu_count(), "tensorflow": tf.__version__, "keras": keras.__version__,
            "date": time.strftime("%Y-%m-%d")}
    Path(args.out).write_text(json.dumps({"meta": meta, "results": rows}, indent=1) + "\n")
    print("wrote", args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
