"""The RNN chapter's measurements, written to bench/rnn_results.json for the README and notebook 05.

    .venv/bin/python bench/rnn_study.py --drcn RUN_T1 RUN_T2 RUN_T4 RUN_T8 --sequence RUN --espcn RUN \
        --multiframe RUN_5F --singleframe RUN_1F [--limit N]

Each RUN is a folder written by ``srkit train`` (``config.json``, ``state.json``, ``model.keras``).

1. Recursion depth (DRCN-style, x3): parameters, receptive field and Set5/Set14 PSNR for each number of
   recursions T.
2. Sequence RNN vs ESPCN (x3, same training): Set5/Set14 PSNR, parameters, CPU latency per megapixel.
3. Multi-frame (x4, bursts from Set14 and BSD100, seed of image i = i): the 5-frame model run on 1, 2, 3,
   5 and 8 frames (the same weights, :func:`srkit.models.with_frames`), the equal-capacity single-frame
   model, shift-and-add with the true shifts, and bicubic of frame 0.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def run_info(run: Path) -> dict:
    state = json.loads((run / "state.json").read_text())
    hist = state["history"]
    return {"steps": int(hist[-1]["step"]), "train_time_s": round(sum(h.get("epoch_time_s", 0.0) for h in hist), 1),
            "config": json.loads((run / "config.json").read_text())}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--drcn", nargs="+", type=Path, default=[])
    ap.add_argument("--sequence", type=Path)
    ap.add_argument("--espcn", type=Path)
    ap.add_argument("--multiframe", type=Path)
    ap.add_argument("--singleframe", type=Path)
    ap.add_argument("--limit", type=int, help="first N images per set (dry runs)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "rnn_results.json")
    args = ap.parse_args()

    import keras

    from srkit.burst import evaluate_bursts
    from srkit.evaluate import evaluate
    from srkit.models import load_model, with_frames
    from srkit.profile import latency_ms

    def load(run: Path):
        return load_model(run / "model.keras", compile=False)

    results = json.loads(args.out.read_text()) if args.out.exists() else {}
    results["machine"] = {"cpu": platform.processor() or platform.machine(), "keras": keras.__version__,
                          "backend": keras.backend.backend()}
    results["command"] = "python bench/rnn_study.py " + " ".join(sys.argv[1:])

    if args.drcn:
        rows = []
        for run in args.drcn:
            model = load(run)
            info = run_info(run)
            t = int(info["config"]["model_config"].get("recursions", 4))
            table = evaluate(model, ["Set5", "Set14"], 3, limit=args.limit)
            rows.append({"recursions": t, "parameters": int(model.count_params()), "receptive_field": 2 * t + 5,
                         "set5_psnr": round(float(table.psnr.iloc[0]), 3), "set14_psnr": round(float(table.psnr.iloc[1]), 3),
                         "steps": info["steps"], "train_time_s": info["train_time_s"],
                         "supervision": info["config"].get("supervision"), "run": run.name})
            print("drcn", rows[-1], flush=True)
        results["drcn_depth_x3"] = sorted(rows, key=lambda r: r["recursions"])

    if args.sequence and args.espcn:
        rows = []
        for label, run in (("sequence_rnn", args.sequence), ("espcn", args.espcn)):
            model = load(run)
            info = run_info(run)
            table = evaluate(model, ["Set5", "Set14"], 3, limit=args.limit)
            ms = latency_ms(model, (128, 128), repeats=3)
            rows.append({"model": label, "parameters": int(model.count_params()),
                         "set5_psnr": round(float(table.psnr.iloc[0]), 3), "set14_psnr": round(float(table.psnr.iloc[1]), 3),
                         "cpu_ms_per_lr_megapixel": round(ms / (128 * 128 / 1e6), 1),
                         "steps": info["steps"], "train_time_s": info["train_time_s"], "run": run.name})
            print("sequence vs espcn", rows[-1], flush=True)
        results["sequence_vs_espcn_x3"] = rows

    if args.multiframe and args.singleframe:
        five, one = load(args.multiframe), load(args.singleframe)
        sets = ["Set14", "BSD100"]
        chart = []
        for n in (1, 2, 3, 5, 8):
            row = {"frames": n}
            m = with_frames(five, n)
            for ds in sets:
                t0 = time.time()
                row[f"{ds}_multiframe_rnn"] = round(float(evaluate_bursts(m, [ds], 4, frames=n, limit=args.limit).psnr.iloc[0]), 3)
                row[f"{ds}_shift_and_add"] = round(float(evaluate_bursts("shift_and_add", [ds], 4, frames=n,
                                                                         limit=args.limit).psnr.iloc[0]), 3)
                print(n, ds, row, f"{time.time() - t0:.0f}s", flush=True)
            chart.append(row)
        summary = {}
        for ds in sets:
            single = evaluate_bursts(one, [ds], 4, frames=5, limit=args.limit)
            multi = evaluate_bursts(five, [ds], 4, frames=5, limit=args.limit)
            saa = evaluate_bursts("shift_and_add", [ds], 4, frames=5, limit=args.limit)
            bic = evaluate_bursts("bicubic", [ds], 4, frames=5, limit=args.limit)
            summary[ds] = {k: {"psnr": round(float(t.psnr.iloc[0]), 3), "ssim": round(float(t.ssim.iloc[0]), 4)}
                           for k, t in (("multiframe_rnn_5_frames", multi), ("singleframe_rnn", single),
                                        ("shift_and_add_5_frames", saa), ("bicubic_frame0", bic))}
            summary[ds]["gain_db"] = round(summary[ds]["multiframe_rnn_5_frames"]["psnr"]
                                           - summary[ds]["singleframe_rnn"]["psnr"], 3)
            print(ds, summary[ds], flush=True)
        results["multiframe_x4"] = {
            "protocol": "bursts from the benchmark HR (srkit.burst.make_burst, seed of image i = i, no noise); "
                        "Y, 4 px shaved, per-image mean",
            "parameters": {"multiframe_rnn": int(five.count_params()), "singleframe_rnn": int(one.count_params())},
            "training": {"multiframe_rnn": run_info(args.multiframe), "singleframe_rnn": run_info(args.singleframe)},
            "summary": summary, "frames_chart": chart,
        }
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    print("wrote", args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
