"""Turn finished training runs into zoo entries: weights, sha256, measured scores and a card each.

    python tools/build_zoo.py RUN_DIR [RUN_DIR ...] --provenance provenance.json [--notes notes.json]

Each RUN_DIR holds ``config.json``, ``state.json`` and ``weights.weights.h5`` (from tools/train_zoo.py)
or ``model.keras``.  For each run this script rebuilds the model from its config with the kit's
builders, loads the weights, saves ``srkit/zoo/models/NAME_xK.keras`` (no optimizer state), evaluates
it on Set5, Set14 and BSD100 with the paper protocol, and writes ``srkit/zoo/cards/NAME_xK.json``.
``--provenance`` gives, per run name, the commands, hardware and notes that go on the card, and where the
network departs from its paper's (``departures_from_paper``, put under the card's ``architecture``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ZOO = ROOT / "srkit" / "zoo"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("runs", nargs="+", type=Path)
    ap.add_argument("--provenance", type=Path, required=True)
    ap.add_argument("--notes", type=Path, help="JSON {model: text} on what more training would take")
    ap.add_argument("--limit", type=int, help="evaluate on the first N images only (dry runs)")
    args = ap.parse_args()

    import keras

    from srkit.io import _write_text_atomic
    from srkit.data import VALIDATION_IMAGES
    from srkit.evaluate import evaluate
    from srkit.infer import KerasUpscaler
    from srkit.models import build, load_model
    from srkit.train import TrainConfig
    from srkit.models import REGISTRY
    from srkit.zoo import psnr_gaps, targets_met

    provenance = json.loads(args.provenance.read_text())
    (ZOO / "models").mkdir(parents=True, exist_ok=True)
    (ZOO / "cards").mkdir(parents=True, exist_ok=True)
    for run in args.runs:
        config = TrainConfig.from_json(json.loads((run / "config.json").read_text()))
        history = json.loads((run / "state.json").read_text())["history"]
        name = f"{config.model}_x{config.scale}"
        channels = 1 if config.channels == "y" else 3
        model = build(config.model, config.scale, channels=channels, **config.model_config)
        if (run / "weights.weights.h5").exists():
            model.load_weights(run / "weights.weights.h5")
        else:
            trained = load_model(run / "model.keras", compile=False)
            model.set_weights(trained.get_weights())
        path = ZOO / "models" / f"{name}.keras"
        model.save(path)
        scores = {}
        table = evaluate(KerasUpscaler(model, name), ["Set5", "Set14", "BSD100"], [config.scale], limit=args.limit)
        for row in table.itertuples():
            scores[row.dataset] = {"psnr": round(float(row.psnr), 4), "ssim": round(float(row.ssim), 5)}
        prov = dict(provenance.get(name, provenance.get("*", {})))
        # where the shipped network differs from its paper's (e.g. an activation), the card says so beside the
        # architecture, not only in the training note
        departures = prov.pop("departures_from_paper", None)
        card = {
            "name": config.model,
            "scale": config.scale,
            "file": f"models/{name}.keras",
            "sha256": sha256(path),
            "architecture": {"builder": f"srkit.models.{config.model}", "config": {"channels": channels, **config.model_config},
                             "parameters": int(model.count_params()),
                             "input": "bicubic-upscaled Y" if config.model == "srcnn" else "LR Y (channel 1, [0, 1])",
                             **({"departures_from_paper": departures} if departures else {})},
            "training": {
                "data": list(config.train_sets) + [f"(the {len(VALIDATION_IMAGES['T91']) + len(VALIDATION_IMAGES['BSD200'])}"
                                                   " held-out validation images excepted; benchmarks never used for"
                                                   " training or model selection; the final weights are shipped)"],
                "config": config.to_json(),
                "steps": int(history[-1]["step"]),
                "train_time_s": round(sum(h.get("epoch_time_s", 0.0) for h in history), 1),
                "final_loss": history[-1].get("loss"),
                # named by the set validated on: 'val' (held-out training images) for runs of this engine;
                # older cards validated on Set5 and say so (their shipped weights are the final ones either way)
                f"{(config.val_set or 'no').lower()}_psnr_during_training":
                    [[int(h["step"]), round(h["val_psnr"], 3)] for h in history if "val_psnr" in h],
                **prov,
            },
            "scores": scores,
            "protocol": "Y (BT.601 studio swing), scale px shaved, per-image mean; MATLAB-bicubic LR (srkit.evaluate)",
            "evaluated_with": {"srkit_command": f"srkit evaluate {config.model} --scale {config.scale} --data Set5 Set14 BSD100",
                               "keras": keras.__version__, "backend": keras.backend.backend(),
                               "machine": platform.machine()},
            "targets": REGISTRY[config.model].card_targets(),
        }
        card["targets_met"] = targets_met(card)
        notes = json.loads(args.notes.read_text()) if args.notes else {}
        card["status"] = {"targets_reached": card["targets_met"]["all"], "psnr_gap_db": psnr_gaps(card)}
        if notes.get(config.model):
            card["status"]["more_training"] = notes[config.model]
        _write_text_atomic(ZOO / "cards" / f"{name}.json", json.dumps(card, indent=1) + "\n")
        print(name, json.dumps(scores), "targets met:", card["targets_met"]["all"], flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
