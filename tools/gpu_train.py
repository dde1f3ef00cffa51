"""Continue zoo models' training on one GPU within a fixed time, with the data held on the device.

Two steps, one on each machine:

1. Here (any machine with the repository)::

       python tools/gpu_train.py pack --out gpu_pack

   writes the training images (T91 + BSD200, validation images included, since the trainer holds them
   out as usual) as 8-bit luma (Y) PNGs into ``gpu_pack/data/train`` (about a third of the RGB size: the
   working tree that travels to the GPU machine is limited), and copies the zoo models to continue into
   ``gpu_pack/models``.  The flagship and the other Y-channel models train on Y only.

2. On the GPU machine (Keras on the JAX backend; TensorFlow is not needed)::

       KERAS_BACKEND=jax SRKIT_DATA=gpu_pack/data python tools/gpu_train.py train \\
           --models edsr_x4 edsr_x3 edsr_x2 --budget 470 --out $OUT

   For each model: load ``gpu_pack/models/NAME.keras``, pack its training pairs onto the device
   (:class:`srkit.train.device.DevicePairs`), measure the held-out validation images (as equal-size tiles,
   a monitor only), train with the data on the device (:class:`srkit.train.device.DeviceTrainer`) for an
   equal share of what is left of ``--budget`` seconds (a cosine learning rate over the steps the
   measured speed allows), measure validation again and save ``NAME.keras`` and the log
   ``gpu_train.json`` to ``--out`` (after every model, so a cut-off run still returns what it finished).
   ``--bench S`` first times the two input paths on the same compiled step for ``S`` seconds each: batches
   cut on the host (:meth:`DeviceTrainer.run_host_fed`, 4 threads) and batches drawn on the device.

3. Back here, with TensorFlow::

       python tools/gpu_train.py ingest --runs RUN1 [RUN2 ...] --device "NVIDIA H200"

   scores the returned weights with the paper protocol (:func:`srkit.evaluate.evaluate` on ``val``, Set5,
   Set14, BSD100) and ships a model only if it beats the shipped one on the validation set (never on a
   benchmark), with its card updated: sha256, scores, and a ``continued`` record per GPU run.

The time budget covers everything after start-up; keep ``--budget`` about 60 s under the time the GPU
machine is yours.  The GPU machine needs the repository's ``srkit/`` and ``tools/``, ``gpu_pack/`` (about
37 MiB for the flagship's three scales) and Keras 3 with JAX (no TensorFlow).  What the zoo's cards record
was made this way on one NVIDIA H200: a 500 s run with ``--bench 8``, then a 215 s run continuing its
weights (the returned ``.keras`` files copied into ``gpu_pack/models`` first).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# name -> (patch size, batch size, peak learning rate), for the models this script may continue
RECIPES = {
    "edsr": (48, 32, 1e-4),
    "srcnn": (24, 64, 5e-4),
    "fsrcnn": (32, 64, 5e-4),
    "espcn": (24, 64, 5e-4),
}


def pack(out: Path, names: list[str]) -> None:
    """The luma training images and the models to continue, in ``out`` (step 1)."""
    import numpy as np

    from srkit import data
    from srkit.color import rgb_to_y
    from srkit.io import read_image, save_image

    root = data.data_dir() / "train"
    total = 0
    for ds in data.TRAINING_SETS:
        dest = out / "data" / "train" / ds
        dest.mkdir(parents=True, exist_ok=True)
        for path in data.list_images(root / ds):
            img = read_image(path)
            y = img[..., 0] if img.shape[-1] == 1 else np.clip(np.rint(rgb_to_y(img.astype(np.float32))), 0, 255)
            total += save_image(dest / f"{path.stem}.png", y.astype(np.uint8)).stat().st_size
    (out / "models").mkdir(parents=True, exist_ok=True)
    for n in names:
        src = ROOT / "srkit" / "zoo" / "models" / f"{n}.keras"
        shutil.copy(src, out / "models" / src.name)
        total += src.stat().st_size
    print(f"packed {out}: {total / 2**20:.1f} MiB")


def _log(out: Path, log: dict) -> None:
    tmp = out / "gpu_train.json.tmp"
    tmp.write_text(json.dumps(log, indent=1))
    tmp.replace(out / "gpu_train.json")


def train(args) -> None:
    """Step 2: continue each model within the budget."""
    t_start = time.time()
    deadline = t_start + args.budget
    import jax
    import keras
    import numpy as np

    from srkit import data, models, pipeline
    from srkit.train.device import DevicePairs, DeviceTrainer, cosine_rate, tile_psnr, tiles

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    log = {"devices": [str(d) for d in jax.devices()], "keras": keras.__version__, "jax": jax.__version__,
           "backend": keras.backend.backend(), "budget_s": args.budget, "models": {}, "bench": {}}
    print(log["devices"], flush=True)

    def val_psnr(trainer, vx, vy, scale):
        pred = np.concatenate([trainer.predict_tiles(vx[i : i + 64]) for i in range(0, len(vx), 64)])
        return round(tile_psnr(pred, vy, shave=scale), 3)

    def bench(tr, sampler, seconds, rate):
        """The two input paths through the same compiled step, ``seconds`` each (both train the model)."""
        host = tr.run_host_fed(sampler, seconds=seconds, learning_rate=rate)
        dev = tr.run(seconds=seconds, learning_rate=rate)
        print(f"bench {tr.model.name}: host-fed {host['steps_per_s']} steps/s, device-fed {dev['steps_per_s']} "
              f"steps/s (batch {tr.batch_size}, LR patch {sampler.patch_size})", flush=True)
        return {"batch": tr.batch_size, "patch": sampler.patch_size, "host": host, "device": dev}

    if args.bench:  # a small model, where the input path matters most (the large one is timed in its run)
        sampler = pipeline.make_sampler(data.TRAINING_SETS, scale=3, patch_size=args.patch or 17)
        tr = DeviceTrainer(models.build("espcn", scale=3), DevicePairs.from_sampler(sampler),
                           batch_size=args.batch or 32, steps_per_call=args.steps_per_call)
        log["bench"]["espcn_x3"] = bench(tr, sampler, args.bench, 1e-4)
        _log(out, log)

    for k, name in enumerate(args.models):
        arch, scale = name.rsplit("_x", 1)
        scale = int(scale)
        patch, batch, peak = RECIPES[arch]
        patch, batch = args.patch or patch, args.batch or batch
        t0 = time.time()
        model = models.load_model(Path(args.models_dir) / f"{name}.keras", compile=False)
        pre = models.spec(arch).input_kind == "pre_upsampled"
        sampler = pipeline.make_sampler(data.TRAINING_SETS, scale=scale, patch_size=patch, pre_upsample=pre)
        pairs = DevicePairs.from_sampler(sampler)
        val = [(pipeline.to_channels(p.lr if not pre else pipeline.upscale(p.lr, scale), "y"),
                pipeline.to_channels(p.hr, "y")) for p in data.load_validation(scale)]
        vx, vy = tiles(val, 48 * (scale if pre else 1), 1 if pre else scale)
        tr = DeviceTrainer(model, pairs, batch_size=batch, steps_per_call=args.steps_per_call,
                           optimizer=keras.optimizers.Adam(learning_rate=peak), seed=k)
        before = val_psnr(tr, vx, vy, scale)
        setup = time.time() - t0
        share = (deadline - time.time()) / (len(args.models) - k) - 8  # 8 s: the final validation and saving
        print(f"{name}: {len(pairs)} images, {pairs.nbytes / 2**20:.0f} MiB on the device, val tiles {before} dB, "
              f"setup {setup:.0f} s, training {share:.0f} s", flush=True)
        if share <= 0:
            print(f"{name}: no time left, not trained", flush=True)
            break
        # a first call compiles, a short run measures the speed; the cosine then spans what the rest allows
        t1 = time.time()
        tr.run(steps=tr.steps_per_call, learning_rate=peak * 0.1)
        if args.bench and k == 0:
            log["bench"][name] = bench(tr, sampler, args.bench, peak * 0.1)
        probe = tr.run(seconds=min(5.0, share / 8), learning_rate=peak * 0.1)
        rate = probe["steps"] / max(probe["seconds"], 1e-3)
        remaining = max(0.0, share - (time.time() - t1))
        offset = tr.steps
        n = max(1, int(rate * remaining))
        schedule = cosine_rate(peak, n, warmup_steps=int(0.03 * n))
        main = tr.run(seconds=remaining, learning_rate=lambda s: schedule(s - offset))
        after = val_psnr(tr, vx, vy, scale)
        tr.sync()
        model.save(out / f"{name}.keras")
        log["models"][name] = {"images": len(pairs), "patch": patch, "batch": batch, "peak_lr": peak, "loss": "l1",
                               "steps": tr.steps, "train_s": round(time.time() - t1, 1),
                               "steps_per_s": main["steps_per_s"], "final_loss": main["loss"],
                               "val_tiles_psnr_before": before, "val_tiles_psnr_after": after,
                               "setup_s": round(setup, 1), "runs": tr.history}
        _log(out, log)
        print(f"{name}: {tr.steps} steps at {main['steps_per_s']} steps/s, val tiles {before} -> {after} dB", flush=True)
    log["total_s"] = round(time.time() - t_start, 1)
    _log(out, log)


def ingest(args) -> None:
    """Step 3: score each returned model with the paper protocol and ship it if it is better on validation.

    ``--runs`` are the folders the train step filled, in the order they ran (each continued the one
    before); the last holds the weights to ship.  A model is shipped only if its validation PSNR beats the
    shipped model's; then its card gets the new sha256 and scores and a ``continued`` record per run.
    """
    import hashlib

    import keras

    from srkit import zoo
    from srkit.evaluate import evaluate
    from srkit.models import build, load_model

    runs = [Path(r) for r in args.runs]
    logs = [json.loads((r / "gpu_train.json").read_text()) for r in runs]
    for name in args.models:
        arch, scale = name.rsplit("_x", 1)
        scale = int(scale)
        card_path = ROOT / "srkit" / "zoo" / "cards" / f"{name}.json"
        card = json.loads(card_path.read_text())
        new = load_model(runs[-1] / f"{name}.keras", compile=False)
        model = build(arch, scale, **card["architecture"]["config"])
        model.set_weights(new.get_weights())
        old_val = float(evaluate(zoo.load(arch, scale), ["val"], [scale]).psnr.iloc[0])
        table = evaluate(model, ["val", "Set5", "Set14", "BSD100"], [scale])
        val = float(table[table.dataset == "val"].psnr.iloc[0])
        print(f"{name}: validation {old_val:.3f} -> {val:.3f} dB", flush=True)
        if val <= old_val:
            print(f"{name}: not better on validation; the shipped model stays", flush=True)
            continue
        path = ROOT / "srkit" / "zoo" / "models" / f"{name}.keras"
        tmp = path.with_name(f".{name}.tmp.keras")
        model.save(tmp)
        tmp.replace(path)
        card["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
        card["scores"] = {r.dataset: {"psnr": round(float(r.psnr), 4), "ssim": round(float(r.ssim), 5)}
                          for r in table.itertuples() if r.dataset != "val"}
        t = card["training"]
        t.setdefault("continued", [])
        for run, log in zip(runs, logs):
            m = log["models"][name]
            t["continued"].append({
                "where": f"{log['devices'][0]} ({args.device}), Keras {log['keras']} on JAX {log['jax']}",
                "input": "device-fed (srkit.train.device): training set in GPU memory, patches drawn in the compiled step",
                "data": "T91 + BSD200 luma rounded to 8 bits (tools/gpu_train.py pack), validation images held out",
                "steps": m["steps"], "train_s": m["train_s"], "batch": m["batch"], "lr_patch": m["patch"],
                "loss": m["loss"], "schedule": f"cosine from {m['peak_lr']} after a 3% warm-up (time-planned)",
                "val_tiles_psnr": [m["val_tiles_psnr_before"], m["val_tiles_psnr_after"]],
                "command": f"KERAS_BACKEND=jax SRKIT_DATA=gpu_pack/data python tools/gpu_train.py train --models "
                           f"{' '.join(log['models'])} --budget {log['budget_s']:g}" + (" --bench 8" if log["bench"] else "")
                           + " --out OUT"})
        first_s = float(t.get("train_time_s", 0.0))
        more_s = sum(c["train_s"] for c in t["continued"])
        t["total"] = {"steps": int(t["steps"]) + sum(c["steps"] for c in t["continued"]),
                      "train_time_s": round(first_s + more_s, 1),
                      "summary": f"{first_s:.0f} s in the first runs (see hardware), then {more_s:.0f} s device-fed on "
                                 f"one {args.device} in {len(t['continued'])} continuation(s)"}
        card["evaluated_with"].update({"keras": keras.__version__, "backend": keras.backend.backend()})
        card["targets_met"] = zoo.targets_met(card)
        card["status"]["targets_reached"] = card["targets_met"]["all"]
        card["status"]["psnr_gap_db"] = zoo.psnr_gaps(card)
        card["validation_psnr"] = {**card.get("validation_psnr", {}), "before": round(old_val, 4), "after": round(val, 4),
                                   "set": "val (the 8 held-out training images), full images, paper protocol"}
        tmp = card_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(card, indent=1) + "\n")
        tmp.replace(card_path)
        print(f"{name}: shipped; {json.dumps(card['scores'])}", flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("pack", help="step 1: the luma training images and the models, for the GPU machine")
    p.add_argument("--out", default="gpu_pack")
    p.add_argument("--models", nargs="+", default=["edsr_x2", "edsr_x3", "edsr_x4"])
    t = sub.add_parser("train", help="step 2, on the GPU machine: continue the models")
    t.add_argument("--models", nargs="+", default=["edsr_x4", "edsr_x3", "edsr_x2"])
    t.add_argument("--models-dir", default="gpu_pack/models")
    t.add_argument("--budget", type=float, required=True, help="seconds for everything after start-up")
    t.add_argument("--bench", type=float, default=0.0, help="seconds per input path for the host/device timing")
    t.add_argument("--out", required=True)
    t.add_argument("--batch", type=int, help="override the recipes' batch size (a CPU dry run)")
    t.add_argument("--patch", type=int, help="override the recipes' LR patch size (a CPU dry run)")
    t.add_argument("--steps-per-call", type=int, default=25)
    i = sub.add_parser("ingest", help="step 3, here: score the returned models and ship the better ones")
    i.add_argument("--runs", nargs="+", required=True, help="the folders the train step filled, oldest first")
    i.add_argument("--models", nargs="+", default=["edsr_x2", "edsr_x3", "edsr_x4"])
    i.add_argument("--device", default="NVIDIA GPU", help="the GPU, in words, for the cards")
    args = ap.parse_args()
    if args.cmd == "ingest":
        ingest(args)
        return 0
    if args.cmd == "pack":
        for n in args.models:
            if n.rsplit("_x", 1)[0] not in RECIPES:
                ap.error(f"no recipe for {n}; this script continues {', '.join(RECIPES)}")
        pack(Path(args.out), args.models)
    else:
        if os.environ.get("KERAS_BACKEND") != "jax":
            ap.error("run the train step with KERAS_BACKEND=jax")
        train(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
