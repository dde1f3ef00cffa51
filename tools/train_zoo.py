"""Train the zoo's models in parallel with a shared time budget (the command behind the zoo cards).

    python tools/train_zoo.py --budget 420 --out /tmp/zoo_runs --pack OUTDIR [--only espcn_x3 ...]

Each job is ``srkit train MODEL --scale K --time-budget BUDGET ...`` in its own process (so they share
one GPU, or the CPU cores), with the job settings in ``JOBS``.  At the end, each run's weights (no
optimizer state), config and history are packed into a few ``.tar.gz`` files in ``--pack``.

The zoo in ``srkit/zoo`` was made with this script on one NVIDIA H200 (Keras 3, JAX backend, since the
GPU machine had no TensorFlow); the models are backend-independent ``.keras`` files.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import time
from pathlib import Path

# name -> srkit train arguments (LR patch size, batch size, peak learning rate, validation interval)
_SMALL = ["--eval-every", "5000"]
JOBS = {
    **{f"srcnn_x{k}": ["srcnn", "--scale", str(k), "--patch-size", str(p), "--batch-size", "64", "--lr", "5e-4", *_SMALL]
       for k, p in ((2, 24), (3, 16), (4, 12))},
    **{f"fsrcnn_x{k}": ["fsrcnn", "--scale", str(k), "--patch-size", str(p), "--batch-size", "64", "--lr", "1e-3", *_SMALL]
       for k, p in ((2, 32), (3, 24), (4, 16))},
    **{f"espcn_x{k}": ["espcn", "--scale", str(k), "--patch-size", str(p), "--batch-size", "64", "--lr", "1e-3", *_SMALL]
       for k, p in ((2, 32), (3, 24), (4, 16))},
    **{f"edsr_x{k}": ["edsr", "--scale", str(k), "--patch-size", "48", "--batch-size", "16", "--lr", "2e-4", "--eval-every", "2000"]
       for k in (2, 3, 4)},
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--budget", type=float, required=True, help="training seconds per job")
    ap.add_argument("--out", default="runs/zoo", help="folder for the runs")
    ap.add_argument("--pack", help="folder to write the packed results to")
    ap.add_argument("--only", nargs="*", help="job names (default: all)")
    ap.add_argument("--eval-every", type=int, help="override every job's validation interval")
    ap.add_argument("--limit", type=int, help="only N training images per set (for a dry run)")
    args = ap.parse_args()

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    names = args.only or list(JOBS)
    procs = {}
    t0 = time.time()
    for name in names:
        cmd = [sys.executable, "-m", "srkit.cli", "train", *JOBS[name], "--time-budget", str(args.budget),
               "--steps", "100000000", "--out", str(out / name), "--quiet"]
        if args.eval_every:
            cmd += ["--eval-every", str(args.eval_every)]
        if args.limit:
            cmd += ["--limit", str(args.limit)]
        log = open(out / f"{name}.log", "w")
        log.write(" ".join(cmd) + "\n")
        log.flush()
        procs[name] = (subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT), log)
        print(f"started {name}", flush=True)
    failed = []
    for name, (proc, log) in procs.items():
        rc = proc.wait()
        log.close()
        print(f"{name}: exit {rc} after {time.time() - t0:.0f} s", flush=True)
        if rc:
            failed.append(name)
    summary = {}
    for name in names:
        state = out / name / "state.json"
        if state.exists():
            hist = json.loads(state.read_text())["history"]
            summary[name] = {"steps": hist[-1]["step"], "val_psnr": hist[-1].get("val_psnr"),
                             "best_val_psnr": max((h.get("val_psnr") or 0) for h in hist)}
    print(json.dumps(summary, indent=1))
    (out / "summary.json").write_text(json.dumps({"jobs": summary, "failed": failed,
                                                   "wall_s": time.time() - t0}, indent=1))
    if args.pack:
        pack(out, Path(args.pack), names)
    return 1 if failed else 0


def pack(out: Path, dest: Path, names: list[str]) -> None:
    """Weights only (no optimizer state) + config + state, a few tar.gz files for the trip back."""

    from srkit.models import load_model

    dest.mkdir(parents=True, exist_ok=True)
    groups = {"small": [n for n in names if not n.startswith("edsr")]}
    groups.update({n: [n] for n in names if n.startswith("edsr")})
    for group, members in groups.items():
        if not members:
            continue
        with tarfile.open(dest / f"zoo_{group}.tar.gz", "w:gz") as tar:
            for name in members:
                run = out / name
                model_path = run / "model.keras"
                if not model_path.exists():
                    continue
                model = load_model(model_path, compile=False)
                model.save_weights(run / "weights.weights.h5")
                for f in ("weights.weights.h5", "config.json", "state.json"):
                    tar.add(run / f, arcname=f"{name}/{f}")
    with tarfile.open(dest / "zoo_logs.tar.gz", "w:gz") as tar:
        for f in sorted(out.glob("*.log")) + [out / "summary.json"]:
            tar.add(f, arcname=f"logs/{f.name}")


if __name__ == "__main__":
    sys.exit(main())
